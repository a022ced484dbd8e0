import { readFileSync } from 'node:fs';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { QUEUE_DEFINITIONS, type QueueRole, WORKER_TIMEOUT_SECONDS } from '../../lambdas/aws/queue-definitions.js';
import { listPlaceholders } from '../../lambdas/core/workflow/substitute.js';
import { RUN_EVALUATION_ASL_PATH } from '../lambda-entries.js';
import {
  bindBucket,
  bindDeadLetterQueue,
  bindQueue,
  bindSecret,
  bindStateMachine,
  bindTable,
  bindTenantSecrets,
  tenantSecretsPrefix,
} from './bind.js';
import { acknowledge, wildcardResourceFinding } from './nag.js';
import type { Storage } from './storage.js';
import { type LambdaCode, VerdictFunction } from './verdict-function.js';

export interface FunctionDefaults {
  logRetention: RetentionDays;
  code: LambdaCode;
}

export interface PipelineProps {
  storage: Storage;
  functions: FunctionDefaults;
  /** OPENAI_BASE_URL for the workers; unset means api.openai.com. */
  llmBaseUrl?: string;
  /** Event-source `maximumConcurrency` per worker queue: caps concurrent LLM calls (numbers or parameter tokens). */
  maxConcurrency: Record<QueueRole, number>;
}

export interface WorkQueue {
  queue: Queue;
  deadLetterQueue: Queue;
}

// The longest a Lambda may run; each queue's visibility timeout must cover it or SQS hands a batch to a
// second worker while the first is still on it.
const WORKER_TIMEOUT = Duration.seconds(WORKER_TIMEOUT_SECONDS);

/**
 * The evaluation pipeline of DESIGN.md section 3: the run-evaluation state machine from its ASL file, its three
 * Lambda tasks, and the executor and scorer queues (each with a DLQ) feeding the worker Lambdas.
 */
export class Pipeline extends Construct {
  readonly queues: Record<QueueRole, WorkQueue>;
  readonly executor: LambdaFunction;
  readonly scorer: LambdaFunction;
  readonly prepareRun: LambdaFunction;
  readonly markBatchErrored: LambdaFunction;
  readonly finalizeRun: LambdaFunction;
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { storage } = props;
    this.queues = { executor: this.workQueue('executor'), scorer: this.workQueue('scorer') };

    const lambda = (
      name: 'prepareRun' | 'markBatchErrored' | 'finalizeRun',
      description: string,
      timeout: Duration,
    ) => {
      const fn = new VerdictFunction(this, name[0]!.toUpperCase() + name.slice(1), {
        ...props.functions,
        name,
        description,
        timeout,
        memorySize: 1024,
      }).function;
      bindTable(fn, storage.table, 'readWrite');
      bindBucket(fn, storage.bucket, 'readWrite');
      return fn;
    };
    this.prepareRun = lambda('prepareRun', 'Verdict: plan a run’s records into batches', WORKER_TIMEOUT);
    this.markBatchErrored = lambda(
      'markBatchErrored',
      'Verdict: mark the unfinished records of a failed batch errored',
      Duration.minutes(2),
    );
    this.finalizeRun = lambda('finalizeRun', 'Verdict: aggregate scores and set a run’s final status', WORKER_TIMEOUT);

    this.stateMachine = this.runEvaluation(props.functions.logRetention);

    const worker = (role: QueueRole, description: string) => {
      const fn = new VerdictFunction(this, role === 'executor' ? 'Executor' : 'Scorer', {
        ...props.functions,
        name: role,
        description,
        timeout: WORKER_TIMEOUT,
        memorySize: 1024,
      }).function;
      bindTable(fn, storage.table, 'readWrite');
      bindBucket(fn, storage.bucket, 'readWrite');
      bindSecret(fn, storage.llmApiKey, 'LLM_SECRET_ARN');
      // Read straight from the environment by lambdas/aws/lambda-runtime.ts, as locally.
      if (props.llmBaseUrl) fn.addEnvironment('OPENAI_BASE_URL', props.llmBaseUrl);
      // One message is one batch of ≥ 50 records (MIN_BATCH_SIZE), so maxConcurrency bounds concurrent batches directly.
      bindQueue(
        fn,
        this.queues[role].queue,
        'consume',
        role === 'executor' ? 'EXECUTOR_QUEUE_URL' : 'SCORER_QUEUE_URL',
        {
          batchSize: 1,
          maxConcurrency: props.maxConcurrency[role],
        },
      );
      bindStateMachine(fn, this.stateMachine, 'callback');
      // Its dead-letter queue too: a poisoned message's records become errored (lambdas/core/pipeline/dead-letters.ts).
      bindDeadLetterQueue(fn, this.queues[role].deadLetterQueue);
      return fn;
    };
    this.executor = worker('executor', 'Verdict: run the system under test for a batch of records');
    // Only the executor runs systems, so only it reads the project secrets they name.
    bindTenantSecrets(this.executor, tenantSecretsPrefix(Stack.of(this).stackName), 'read');
    this.scorer = worker('scorer', 'Verdict: score a batch of records with every metric of the run');
  }

  private workQueue(role: QueueRole): WorkQueue {
    const definition = QUEUE_DEFINITIONS[role];
    const visibilityTimeout = Duration.seconds(definition.visibilityTimeoutSeconds);
    if (visibilityTimeout.toSeconds() < 6 * WORKER_TIMEOUT.toSeconds() || definition.maxReceiveCount < 5) {
      throw new Error(`${definition.name}: AWS wants a visibility timeout ≥ 6× the worker's and maxReceiveCount ≥ 5`);
    }
    const prefix = role === 'executor' ? 'Executor' : 'Scorer';
    const deadLetterQueue = new Queue(this, `${prefix}DeadLetterQueue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Its worker consumes it too, so a message must stay hidden while the worker handles it.
      visibilityTimeout,
    });
    const queue = new Queue(this, `${prefix}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }

  private runEvaluation(logRetention: RetentionDays): StateMachine {
    const definition = readFileSync(RUN_EVALUATION_ASL_PATH, 'utf8');
    const definitionSubstitutions: Record<string, string> = {
      PrepareRunFunctionArn: this.prepareRun.functionArn,
      MarkBatchErroredFunctionArn: this.markBatchErrored.functionArn,
      FinalizeRunFunctionArn: this.finalizeRun.functionArn,
      ExecutorQueueUrl: this.queues.executor.queue.queueUrl,
      ScorerQueueUrl: this.queues.scorer.queue.queueUrl,
    };
    // CloudFormation would leave an unknown ${Name} in place and the execution would fail at run time.
    const missing = listPlaceholders(definition).filter((name) => !Object.hasOwn(definitionSubstitutions, name));
    if (missing.length > 0) {
      throw new Error(`${RUN_EVALUATION_ASL_PATH} uses \${${missing.join('}, ${')}} with no substitution in lib/`);
    }

    const logs = new LogGroup(this, 'RunEvaluationLogs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's log resource policy.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-run-evaluation`,
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Named, so its own ARN can be granted to it below without a reference cycle (role → machine → role).
    const stateMachineName = `${Stack.of(this).stackName}-run-evaluation`;
    const stateMachine = new StateMachine(this, 'RunEvaluation', {
      stateMachineName,
      comment: 'Verdict: evaluate one run (statemachines/run-evaluation.asl.json)',
      stateMachineType: StateMachineType.STANDARD,
      // Inline (not an S3 asset) so the template shows exactly what runs, and tests can read it.
      definitionBody: DefinitionBody.fromString(JSON.stringify(JSON.parse(definition))),
      definitionSubstitutions,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    for (const fn of [this.prepareRun, this.markBatchErrored, this.finalizeRun]) {
      // The unqualified ARN only, as the ASL names it: no `:*` version wildcard.
      stateMachine.addToRolePolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
      );
    }
    for (const { queue } of Object.values(this.queues)) {
      stateMachine.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    }
    this.grantDistributedMap(stateMachine, stateMachineName);
    acknowledge(
      stateMachine,
      'AwsSolutions-IAM5[Resource::*]',
      'CDK’s statements for log delivery (logs:*LogDelivery, DescribeLogGroups, ...) and X-Ray tracing ' +
        '(xray:PutTraceSegments, ...): those actions do not support resource-level permissions.',
    );
    return stateMachine;
  }

  /**
   * The Distributed Map runs each batch as a child execution of this same state machine: it may start those,
   * and describe and stop its own child executions (`execution:<name>/<map run>:<id>`), nothing else.
   */
  private grantDistributedMap(stateMachine: StateMachine, stateMachineName: string) {
    const stack = Stack.of(this);
    const self = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const childExecutions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    stateMachine.addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [self] }));
    stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [childExecutions],
      }),
    );
    acknowledge(
      stateMachine,
      wildcardResourceFinding(stateMachine, childExecutions),
      'The Distributed Map’s child executions are named by Step Functions at run time (<map run>:<id>); the ' +
        'grant covers only the child executions of this state machine.',
    );
  }
}
