import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EXPORT_QUEUE_DEFINITION, EXPORT_WORKER_TIMEOUT_SECONDS } from '../../lambdas/aws/export-queue.js';
import { TABLE_DEFINITION } from '../../lambdas/aws/table-definition.js';
import { setVariable } from './bind.js';
import { acknowledge, wildcardResourceFinding } from './nag.js';
import type { FunctionDefaults, WorkQueue } from './pipeline.js';
import type { Storage } from './storage.js';
import { VerdictFunction } from './verdict-function.js';

export interface ExportsProps {
  storage: Storage;
  functions: FunctionDefaults;
}

/** Export jobs the worker takes at once: each streams a whole export, so a few are plenty for one table. */
const EXPORT_MAX_CONCURRENCY = 5;
/** The exporter's /tmp, where an export's records wait while its columns are learnt. */
export const EXPORT_SPOOL_MIB = 4096;

/**
 * Asynchronous CSV exports: the api stores a pending export and sends a job to the export queue; the exporter
 * Lambda writes the file to `exports/` and settles the export item. Its role reads the table and overflowed
 * payloads, updates export items (it never creates or deletes an item) and writes only under `exports/`.
 */
export class Exports extends Construct {
  readonly queue: WorkQueue;
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: ExportsProps) {
    super(scope, id);
    const { storage } = props;
    const deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(EXPORT_QUEUE_DEFINITION.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: EXPORT_QUEUE_DEFINITION.maxReceiveCount },
    });
    this.queue = { queue, deadLetterQueue };

    const fn = new VerdictFunction(this, 'Exporter', {
      ...props.functions,
      name: 'exporter',
      description: 'Verdict: write a CSV export to S3 and settle its export item',
      timeout: Duration.seconds(EXPORT_WORKER_TIMEOUT_SECONDS),
      // Memory buys CPU in Lambda: the CSV and the SDK's parsing are the export's CPU work.
      memorySize: 1769,
    }).function;
    this.function = fn;
    // The records are spooled to /tmp while the columns are learnt: ~2× the CSV's size (4 GiB: ~2 GB of CSV).
    (fn.node.defaultChild as CfnFunction).ephemeralStorage = { size: EXPORT_SPOOL_MIB };

    setVariable(fn, 'TABLE_NAME', storage.table.tableName);
    setVariable(fn, 'BUCKET_NAME', storage.bucket.bucketName);
    setVariable(fn, 'EXPORT_QUEUE_URL', queue.queueUrl);
    fn.addEnvironment('EXPORT_RETENTION_DAYS', String(storage.exportExpiration.toDays()));
    const indexArns = TABLE_DEFINITION.globalIndexes.map(
      (index) => `${storage.table.tableArn}/index/${index.indexName}`,
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        resources: [storage.table.tableArn, ...indexArns],
      }),
    );
    const overflow = storage.bucket.arnForObjects('overflow/*');
    const exportFiles = storage.bucket.arnForObjects('exports/*');
    // Records whose fields overflowed to S3 are merged back into their cells.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [overflow] }));
    // A multipart upload (Create/UploadPart/Complete are s3:PutObject), aborted if the export fails.
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [exportFiles] }),
    );
    // Without ListBucket a missing overflow object answers 403 instead of 404.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [storage.bucket.bucketArn] }));
    for (const objects of [overflow, exportFiles]) {
      acknowledge(
        fn.role ?? fn,
        wildcardResourceFinding(fn, objects),
        'Export files (exports/<project>/<export>.csv) and overflowed payloads (overflow/<pk>/<sk>.json) are named ' +
          'at run time; the grant is limited to that prefix of this stack’s own bucket.',
      );
    }
    fn.addEventSource(
      new SqsEventSource(queue, {
        reportBatchItemFailures: true,
        batchSize: 1,
        maxConcurrency: EXPORT_MAX_CONCURRENCY,
      }),
    );
  }

  /** Lets the api send export jobs (EXPORT_QUEUE_URL), and nothing else on the queue. */
  bindRequests(fn: LambdaFunction): void {
    setVariable(fn, 'EXPORT_QUEUE_URL', this.queue.queue.queueUrl);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queue.queueArn] }));
  }
}
