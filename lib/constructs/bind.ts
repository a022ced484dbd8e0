import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaConfig } from '../../lambdas/aws/config.js';
import { TABLE_DEFINITION } from '../../lambdas/aws/table-definition.js';
import { acknowledge, wildcardResourceFinding } from './nag.js';

/**
 * Each helper gives a function the environment variable it reads (names typed against lambdas/aws/config.ts)
 * and the narrowest grant that makes it work, in one call, so neither can be forgotten or widened alone.
 * Actions are listed rather than taken from CDK's grant* helpers, whose action wildcards (`s3:GetObject*`,
 * `dynamodb:*Item`) would allow more than the code calls.
 */
type ConfigVariable = keyof LambdaConfig;

// Extract<> collapses to `never` if config.ts renames a variable, so call sites stop compiling.
type SecretVariable = Extract<ConfigVariable, 'CURSOR_SECRET_ARN' | 'LLM_SECRET_ARN'>;
type QueueVariable = Extract<ConfigVariable, 'EXECUTOR_QUEUE_URL' | 'SCORER_QUEUE_URL'>;

export function setVariable(fn: LambdaFunction, variable: ConfigVariable, value: string): void {
  fn.addEnvironment(variable, value);
}

const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};

export function bindTable(fn: LambdaFunction, table: ITable, access: 'read' | 'readWrite'): void {
  setVariable(fn, 'TABLE_NAME', table.tableName);
  // Index ARNs are named one by one from the shared definition instead of `index/*`.
  const indexArns = TABLE_DEFINITION.globalIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`);
  fn.addToRolePolicy(
    new PolicyStatement({ actions: TABLE_ACTIONS[access], resources: [table.tableArn, ...indexArns] }),
  );
}

const OBJECT_ACTIONS = {
  read: ['s3:GetObject'],
  readWrite: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
};

export function bindBucket(fn: LambdaFunction, bucket: IBucket, access: 'read' | 'readWrite'): void {
  setVariable(fn, 'BUCKET_NAME', bucket.bucketName);
  const objects = bucket.arnForObjects('*');
  fn.addToRolePolicy(new PolicyStatement({ actions: OBJECT_ACTIONS[access], resources: [objects] }));
  // Without ListBucket a missing key answers 403 instead of 404, and the blob store could not tell them apart.
  fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  acknowledge(
    fn.role ?? fn,
    wildcardResourceFinding(fn, objects),
    'Object keys are created at run time (overflow/<pk>/<sk>.json, exports/<run>/...); the grant is limited to ' +
      'the objects of this stack’s own bucket.',
  );
}

export function bindSecret(fn: LambdaFunction, secret: ISecret, variable: SecretVariable): void {
  setVariable(fn, variable, secret.secretArn);
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
  );
}

/** Where a stack keeps its tenants' project secrets in Secrets Manager (TENANT_SECRETS_PREFIX). */
export const tenantSecretsPrefix = (stackName: string) => `verdict/${stackName}/tenants/`;

const TENANT_SECRET_ACTIONS = {
  // The api registers, replaces and deletes project secrets (PUT/DELETE /projects/{id}/secrets/{name}).
  manage: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret'],
  // The executor reads the secrets a run's system names; it can neither list nor write them.
  read: ['secretsmanager:GetSecretValue'],
};

/**
 * Project secrets are Secrets Manager secrets named `<prefix><orgId>/<projectId>/<name>`, created at run time
 * through the API. `manage` may write but not read them; `read` may read but not write; names outside the
 * stack's tenant prefix are out of reach for both.
 */
export function bindTenantSecrets(fn: LambdaFunction, prefix: string, access: 'manage' | 'read'): void {
  setVariable(fn, 'TENANT_SECRETS_PREFIX', prefix);
  const secrets = Stack.of(fn).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${prefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.addToRolePolicy(new PolicyStatement({ actions: TENANT_SECRET_ACTIONS[access], resources: [secrets] }));
  acknowledge(
    fn.role ?? fn,
    wildcardResourceFinding(fn, secrets),
    'Project secrets are created through the API at run time, one per name a tenant registers; the grant lists ' +
      'its actions and is limited to names under this stack’s tenant-secret prefix.',
  );
}

/**
 * The api dispatches GitHub workflows with the token a project connected (PUT /projects/{id}/github), kept beside
 * the project secrets as `<prefix><orgId>/<projectId>/@github-token`. It may read those, and no other project
 * secret: `@` is not allowed in project secret names. Secrets Manager appends `-` and six characters to the ARN.
 */
export function bindGithubTokens(fn: LambdaFunction, prefix: string, secretName: string): void {
  const tokens = Stack.of(fn).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${prefix}*/*/${secretName}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [tokens] }));
  acknowledge(
    fn.role ?? fn,
    wildcardResourceFinding(fn, tokens),
    'GitHub tokens are stored per project at run time; the grant reads only secrets named @github-token under ' +
      'this stack’s tenant-secret prefix, a name no project secret can take.',
  );
}

export interface ConsumeOptions {
  /** Most concurrent invocations the queue may drive (a number or a CfnParameter token, 2–1000). */
  maxConcurrency: number;
  batchSize: number;
}

/** `send` grants SendMessage; `consume` subscribes the function through an event-source mapping. */
export function bindQueue(fn: LambdaFunction, queue: IQueue, access: 'send', variable: QueueVariable): void;
export function bindQueue(
  fn: LambdaFunction,
  queue: IQueue,
  access: 'consume',
  variable: QueueVariable,
  options: ConsumeOptions,
): void;
export function bindQueue(
  fn: LambdaFunction,
  queue: IQueue,
  access: 'send' | 'consume',
  variable: QueueVariable,
  options?: ConsumeOptions,
): void {
  setVariable(fn, variable, queue.queueUrl);
  if (access === 'send') {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return;
  }
  // The event source grants exactly what the poller needs (Receive/Delete/ChangeMessageVisibility/GetQueue*)
  // on this queue only. Partial batch failures let one bad message retry without redoing its neighbours.
  fn.addEventSource(
    new SqsEventSource(queue, {
      reportBatchItemFailures: true,
      batchSize: options?.batchSize,
      maxConcurrency: options?.maxConcurrency,
    }),
  );
}

/** A worker consumes its own dead-letter queue (DEAD_LETTER_QUEUE_ARN tells its messages apart), one at a time. */
export function bindDeadLetterQueue(fn: LambdaFunction, queue: IQueue): void {
  setVariable(fn, 'DEAD_LETTER_QUEUE_ARN', queue.queueArn);
  fn.addEventSource(new SqsEventSource(queue, { reportBatchItemFailures: true, batchSize: 1, maxConcurrency: 2 }));
}

/**
 * `start`: the function starts executions (STATE_MACHINE_ARN). `callback`: a worker answering
 * `.waitForTaskToken` tasks with SendTaskSuccess/Failure/Heartbeat, on this state machine only.
 */
export function bindStateMachine(fn: LambdaFunction, stateMachine: IStateMachine, access: 'start' | 'callback'): void {
  if (access === 'start') {
    setVariable(fn, 'STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
    );
    return;
  }
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resources: [stateMachine.stateMachineArn],
    }),
  );
}
