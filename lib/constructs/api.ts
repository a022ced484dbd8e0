import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GITHUB_TOKEN_SECRET } from '../../lambdas/aws/dynamo/github-connections.js';
import { apiDocsAssetsHook } from '../bundling.js';
import {
  bindBucket,
  bindGithubTokens,
  bindQueue,
  bindSecret,
  bindStateMachine,
  bindTable,
  bindTenantSecrets,
  tenantSecretsPrefix,
} from './bind.js';
import type { Monitors } from './monitors.js';
import { acknowledge } from './nag.js';
import type { FunctionDefaults, Pipeline } from './pipeline.js';
import type { Storage } from './storage.js';
import { VerdictFunction } from './verdict-function.js';

export interface ApiProps {
  storage: Storage;
  pipeline: Pipeline;
  monitors: Monitors;
  functions: FunctionDefaults;
  /** Steady-state requests per second and burst for the whole API, before the Lambda is reached. */
  throttle: { rateLimit: number; burstLimit: number };
  /** GitHub's REST API for GitHub-triggered runs (GitHub Enterprise); api.github.com when unset. */
  githubApiUrl?: string;
}

// HTTP API context variables; JSON so CloudWatch Logs Insights can query fields directly.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    method: '$context.httpMethod',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/** API Gateway (HTTP API) → the api Lambda, which runs the same Hono app as the local stack. */
export class Api extends Construct {
  readonly function: LambdaFunction;
  readonly httpApi: HttpApi;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { storage, pipeline, monitors } = props;

    this.function = new VerdictFunction(this, 'Handler', {
      ...props.functions,
      name: 'api',
      description: 'Verdict: REST API (Hono)',
      // HTTP APIs stop waiting after 30 s.
      timeout: Duration.seconds(29),
      memorySize: 1024,
      commandHooks: apiDocsAssetsHook,
    }).function;
    bindTable(this.function, storage.table, 'readWrite');
    bindBucket(this.function, storage.bucket, 'readWrite');
    this.function.addEnvironment('EXPORT_RETENTION_DAYS', String(storage.exportExpiration.toDays()));
    bindSecret(this.function, storage.cursorSigningKey, 'CURSOR_SECRET_ARN');
    // PUT/DELETE /projects/{id}/secrets/{name}: write-only, the api never reads a project secret back.
    bindTenantSecrets(this.function, tenantSecretsPrefix(Stack.of(this).stackName), 'manage');
    // POST /projects/{id}/runs {execution: "github"} reads the project's GitHub token to dispatch its workflow.
    bindGithubTokens(this.function, tenantSecretsPrefix(Stack.of(this).stackName), GITHUB_TOKEN_SECRET);
    if (props.githubApiUrl) this.function.addEnvironment('GITHUB_API_URL', props.githubApiUrl);
    // Records posted through the API/SDK go straight to scoring.
    bindQueue(this.function, pipeline.queues.scorer.queue, 'send', 'SCORER_QUEUE_URL');
    bindStateMachine(this.function, pipeline.stateMachine, 'start');
    monitors.bindScheduleManagement(this.function);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Verdict REST API (/api/v2)',
      defaultIntegration: new HttpLambdaIntegration('Handler', this.function),
      // Our own $default stage below, so it can carry access logs and throttling.
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.functions.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
      throttle: props.throttle,
    });
    this.url = stage.url;
    acknowledge(
      this.httpApi,
      'AwsSolutions-APIG4',
      'Every request is authenticated by the app itself (`Authorization: Bearer <api key>`, hashed keys in ' +
        'DynamoDB, scoped per organization) exactly as Scorecard clients expect; /health, /docs and the OpenAPI ' +
        'document are public on purpose. A gateway authorizer would add a second lookup per request for nothing.',
    );
  }
}
