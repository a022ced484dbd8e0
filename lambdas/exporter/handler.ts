import { createAwsClients } from '../aws/clients.js';
import { readLambdaConfig } from '../aws/config.js';
import { EXPORT_QUEUE_DEFINITION } from '../aws/export-queue.js';
import { FileExportSpool } from '../aws/file-export-spool.js';
import { createRepositories } from '../aws/repositories.js';
import { createSqsWorkerHandler } from '../aws/sqs-worker.js';
import { runExportJob } from '../core/exports/jobs.js';

/** Export queue → writes one export's CSV to S3 and settles the export item (completed or failed). */
const config = readLambdaConfig();
const repositories = createRepositories(createAwsClients({ region: config.AWS_REGION }), {
  tableName: config.TABLE_NAME,
  bucketName: config.BUCKET_NAME,
  exportRetentionDays: config.EXPORT_RETENTION_DAYS,
});

// Records are spooled to /tmp (the function's ephemeral storage) while the columns are learnt.
const deps = { ...repositories, exportSpool: new FileExportSpool() };

export const handler = createSqsWorkerHandler(
  (delivery) => runExportJob(deps, delivery),
  EXPORT_QUEUE_DEFINITION.maxReceiveCount,
);
