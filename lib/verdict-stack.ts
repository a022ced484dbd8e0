import { CfnOutput, CfnParameter, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { QueueRole } from '../lambdas/aws/queue-definitions.js';
import { Alarms } from './constructs/alarms.js';
import { Api } from './constructs/api.js';
import { Exports } from './constructs/exports.js';
import { Monitors } from './constructs/monitors.js';
import { Pipeline } from './constructs/pipeline.js';
import { Storage } from './constructs/storage.js';
import type { LambdaCode } from './constructs/verdict-function.js';
import { Web } from './constructs/web.js';
import { type LambdaName, repoPath } from './lambda-entries.js';
import { readSettings } from './settings.js';

export interface VerdictStackProps extends StackProps {
  /** `bundle` (the default) unless a test asks for stand-ins. */
  lambdaCode?: LambdaCode;
  /** The built web app to upload (web/dist unless a test hands in a stand-in). */
  webAssets?: string;
}

/** The whole product as one stack (DESIGN.md section 3), composed from one construct per concern. */
export class VerdictStack extends Stack {
  readonly storage: Storage;
  readonly pipeline: Pipeline;
  readonly monitors: Monitors;
  readonly api: Api;
  readonly web: Web;
  readonly exports: Exports;
  readonly alarms: Alarms;
  /** Every Lambda by its name in lib/lambda-entries.ts. */
  readonly functions: Record<LambdaName, LambdaFunction>;

  constructor(scope: Construct, id: string, props: VerdictStackProps = {}) {
    super(scope, id, {
      description: 'Verdict: serverless evaluation of AI systems (API, pipeline, monitors)',
      ...props,
    });
    const settings = readSettings(this.node);
    const functions = { logRetention: settings.logRetention, code: props.lambdaCode ?? 'bundle' };

    // A parameter rather than context: operators change LLM concurrency with a stack update, no re-synth.
    const maxConcurrency = (role: QueueRole, label: string) =>
      new CfnParameter(this, `${label}MaxConcurrency`, {
        type: 'Number',
        default: 10,
        minValue: 2,
        maxValue: 1000,
        description: `Most concurrent ${role} Lambdas the ${role} queue may drive (event-source maximumConcurrency).`,
      }).valueAsNumber;

    this.storage = new Storage(this, 'Storage', {
      tableDeletionProtection: settings.tableDeletionProtection,
      exportExpiration: Duration.days(settings.exportExpirationDays),
    });
    this.pipeline = new Pipeline(this, 'Pipeline', {
      storage: this.storage,
      functions,
      llmBaseUrl: settings.llmBaseUrl,
      maxConcurrency: { executor: maxConcurrency('executor', 'Executor'), scorer: maxConcurrency('scorer', 'Scorer') },
    });
    this.monitors = new Monitors(this, 'Monitors', {
      storage: this.storage,
      stateMachine: this.pipeline.stateMachine,
      functions,
      runIdleCloseMinutes: settings.runIdleCloseMinutes,
    });
    this.api = new Api(this, 'Api', {
      storage: this.storage,
      pipeline: this.pipeline,
      monitors: this.monitors,
      functions,
      throttle: settings.apiThrottle,
      githubApiUrl: settings.githubApiUrl,
    });

    this.exports = new Exports(this, 'Exports', { storage: this.storage, functions });
    this.exports.bindRequests(this.api.function);

    this.web = new Web(this, 'Web', { httpApi: this.api.httpApi, assets: props.webAssets ?? repoPath('web/dist') });

    this.functions = {
      api: this.api.function,
      executor: this.pipeline.executor,
      scorer: this.pipeline.scorer,
      prepareRun: this.pipeline.prepareRun,
      markBatchErrored: this.pipeline.markBatchErrored,
      finalizeRun: this.pipeline.finalizeRun,
      monitor: this.monitors.function,
      exporter: this.exports.function,
    };

    this.alarms = new Alarms(this, 'Alarms', {
      functions: this.functions,
      deadLetterQueues: {
        executor: this.pipeline.queues.executor.deadLetterQueue,
        scorer: this.pipeline.queues.scorer.deadLetterQueue,
        export: this.exports.queue.deadLetterQueue,
      },
      stateMachine: this.pipeline.stateMachine,
      httpApi: this.api.httpApi,
      table: this.storage.table,
      email: settings.alarmEmail,
    });

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('WebUrl', this.web.url, 'The web app; it reaches the API on the same host (/api/v2, /docs)');
    output('ApiUrl', this.api.url, 'Base URL; the API lives under /api/v2 and its reference under /docs');
    output('TableName', this.storage.table.tableName, 'DynamoDB table (TABLE_NAME for scripts such as key creation)');
    output('BucketName', this.storage.bucket.bucketName, 'S3 bucket for exports and large payloads (BUCKET_NAME)');
    output('LlmSecretArn', this.storage.llmApiKey.secretArn, 'Put the LLM API key here with put-secret-value');
    output('StateMachineArn', this.pipeline.stateMachine.stateMachineArn, 'run-evaluation state machine');
    output(
      'ExecutorDeadLetterQueueUrl',
      this.pipeline.queues.executor.deadLetterQueue.queueUrl,
      'Poison executor messages',
    );
    output('ExportDeadLetterQueueUrl', this.exports.queue.deadLetterQueue.queueUrl, 'Export jobs that failed 5 times');
    output('AlarmTopicArn', this.alarms.topic.topicArn, 'Every alarm notifies this SNS topic: subscribe to it');
    output('ScorerDeadLetterQueueUrl', this.pipeline.queues.scorer.deadLetterQueue.queueUrl, 'Poison scorer messages');
  }
}
