import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowDeps } from '../core/pipeline/deps.js';
import { NO_SECRETS, storeReader } from '../core/secrets/reader.js';
import { createAwsClients } from './clients.js';
import { readLambdaConfig } from './config.js';
import { awsOutboundPolicy } from './outbound.js';
import { createPipelineDeps } from './pipeline-deps.js';
import { createRepositories } from './repositories.js';
import { SecretsManagerValueStore } from './secret-values.js';
import { SecretReader } from './secrets.js';
import { SfnTaskCallbacks } from './sfn-task-callbacks.js';

/**
 * What the state machine's own Lambdas need, built once per container at cold start: validated config, AWS
 * clients and the repositories. No LLM client and no secret read: they never call a model.
 */
export function workflowRuntime() {
  const config = readLambdaConfig();
  const clients = createAwsClients({ region: config.AWS_REGION });
  const repositories = createRepositories(clients, { tableName: config.TABLE_NAME, bucketName: config.BUCKET_NAME });
  const deps: WorkflowDeps = repositories;
  return { config, clients, repositories, deps };
}

/**
 * What the executor and scorer share: the workflow runtime plus the LLM key from Secrets Manager, the LLM
 * client, the project secrets systems name and the task-token callbacks.
 */
export async function pipelineRuntime() {
  const { config, clients, repositories } = workflowRuntime();
  const secretsManager = new SecretsManagerClient({ region: config.AWS_REGION });
  const secrets = new SecretReader(secretsManager);
  const llmKey = config.LLM_SECRET_ARN ? (await secrets.read(config.LLM_SECRET_ARN)).trim() : undefined;
  const deps = createPipelineDeps(repositories, {
    openaiApiKey: llmKey || undefined,
    openaiBaseURL: process.env.OPENAI_BASE_URL || undefined,
    outbound: awsOutboundPolicy(),
    // Project secrets live under the stack's tenant prefix, keyed by organization and project.
    projectSecrets: config.TENANT_SECRETS_PREFIX
      ? storeReader(new SecretsManagerValueStore(secretsManager, config.TENANT_SECRETS_PREFIX))
      : NO_SECRETS,
    modelPrices: process.env.VERDICT_MODEL_PRICES,
    orgMaxConcurrency: config.ORG_MAX_CONCURRENCY,
  });
  return {
    config,
    clients,
    repositories,
    deps,
    callbacks: new SfnTaskCallbacks(new SFNClient({ region: config.AWS_REGION })),
  };
}
