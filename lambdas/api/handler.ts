import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GithubWorkflowDispatcher } from '../adapters/github/workflow-dispatcher.js';
import { createAwsClients } from '../aws/clients.js';
import { readLambdaConfig } from '../aws/config.js';
import { DynamoGithubConnectionRepository } from '../aws/dynamo/github-connections.js';
import { DynamoProjectSecretRepository } from '../aws/dynamo/project-secrets.js';
import { EventBridgeMonitorScheduler } from '../aws/eventbridge-scheduler.js';
import { SqsExportQueue } from '../aws/export-queue.js';
import { awsOutboundPolicy } from '../aws/outbound.js';
import { createRepositories } from '../aws/repositories.js';
import { SecretsManagerValueStore } from '../aws/secret-values.js';
import { SecretReader } from '../aws/secrets.js';
import { sfnLauncher } from '../aws/sfn-launcher.js';
import { EXPORT_QUEUE_NOT_CONFIGURED } from '../core/exports/ports.js';
import { type GithubDeps, githubNotConfigured } from '../core/github/ports.js';
import { noPlayground, noProjectSecrets, noScheduler } from '../core/not-configured.js';
import { CursorCodec } from '../core/pagination.js';
import { createApp } from './app.js';
import { apiGatewaySourceIp, lambdaHandler } from './lambda-adapter.js';

/** API Gateway (HTTP API) → the same Hono app the local stack serves. */
const config = readLambdaConfig();
const clients = createAwsClients({ region: config.AWS_REGION });
const repositories = createRepositories(clients, {
  tableName: config.TABLE_NAME,
  bucketName: config.BUCKET_NAME,
  exportRetentionDays: config.EXPORT_RETENTION_DAYS,
});
const secretsManager = new SecretsManagerClient({ region: config.AWS_REGION });
const secrets = new SecretReader(secretsManager);
const cursorSecret = config.CURSOR_SECRET_ARN ? await secrets.read(config.CURSOR_SECRET_ARN) : undefined;
if (!cursorSecret) throw new Error('CURSOR_SECRET_ARN must name a secret with at least 16 characters');

// Without these, runs would be created and never start: fail the cold start instead, naming what is missing.
if (!config.STATE_MACHINE_ARN || !config.SCORER_QUEUE_URL) {
  throw new Error('the API needs STATE_MACHINE_ARN and SCORER_QUEUE_URL to start runs and score posted records');
}
const launcher = sfnLauncher({
  sfn: new SFNClient({ region: config.AWS_REGION }),
  sqs: clients.sqs,
  runs: repositories.runs,
  stateMachineArn: config.STATE_MACHINE_ARN,
  scorerQueueUrl: config.SCORER_QUEUE_URL,
});

// Monitors get one EventBridge Scheduler schedule each, in the stack's group, invoking the monitor Lambda.
const scheduler =
  config.SCHEDULE_GROUP_NAME && config.MONITOR_FUNCTION_ARN && config.SCHEDULER_ROLE_ARN
    ? new EventBridgeMonitorScheduler(new SchedulerClient({ region: config.AWS_REGION }), {
        groupName: config.SCHEDULE_GROUP_NAME,
        monitorFunctionArn: config.MONITOR_FUNCTION_ARN,
        roleArn: config.SCHEDULER_ROLE_ARN,
      })
    : noScheduler;

// Project secrets: an item per name in the table, the value in Secrets Manager under the stack's tenant prefix.
const secretValues = config.TENANT_SECRETS_PREFIX
  ? new SecretsManagerValueStore(secretsManager, config.TENANT_SECRETS_PREFIX)
  : undefined;
const projectSecrets = secretValues
  ? new DynamoProjectSecretRepository(repositories.table, secretValues)
  : noProjectSecrets;

// GitHub-triggered runs: the token beside the project secrets, dispatched to the stack's GitHub API.
// The workflow is told the API's address: PUBLIC_URL when the stack knows it, else the host the request came to.
const github: GithubDeps = secretValues
  ? {
      connections: new DynamoGithubConnectionRepository(repositories.table, secretValues),
      dispatcher: new GithubWorkflowDispatcher(config.GITHUB_API_URL),
      apiUrl: config.PUBLIC_URL ?? '',
    }
  : githubNotConfigured('the stack sets no TENANT_SECRETS_PREFIX, so there is nowhere to keep the token');

const app = createApp({
  ...repositories,
  cursors: new CursorCodec(cursorSecret),
  outbound: awsOutboundPolicy(),
  projectSecrets,
  launcher,
  github,
  exportQueue: config.EXPORT_QUEUE_URL
    ? new SqsExportQueue(clients.sqs, config.EXPORT_QUEUE_URL)
    : EXPORT_QUEUE_NOT_CONFIGURED,
  scheduler,
  clientAddress: apiGatewaySourceIp,
  monitorClock: () => new Date(),
  // Systems run in the executor Lambda, never in an API request: the Playground is a local-stack feature.
  playground: noPlayground,
  health: async () => ({}),
  llm: { configured: Boolean(config.LLM_SECRET_ARN) },
});

export const handler = lambdaHandler(app);
