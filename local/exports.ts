import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { EXPORT_QUEUE_DEFINITION, SqsExportQueue } from '../lambdas/aws/export-queue.js';
import { FileExportSpool } from '../lambdas/aws/file-export-spool.js';
import { createSqsWorkerHandler } from '../lambdas/aws/sqs-worker.js';
import { runExportJob } from '../lambdas/core/exports/jobs.js';
import { startQueuePoller } from './queue-poller.js';
import type { StackCore, StackExtension } from './stack.js';

/** Exports at once per process: each streams from DynamoDB to S3, so a few keep the emulators busy. */
const EXPORTS_IN_FLIGHT = 2;

/**
 * The export worker of the embedded stack: the export queue (and its dead-letter queue) on the SQS emulator, and
 * one long-poll loop feeding the very handler the export Lambda runs, in Lambda's SQS event shape.
 */
export async function startLocalExportWorker(
  core: StackCore,
  log: (line: string) => void,
): Promise<StackExtension & { queue: SqsExportQueue }> {
  const { sqs } = core.emulators.clients;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${EXPORT_QUEUE_DEFINITION.name}-dlq` }));
  const dlqArn = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: EXPORT_QUEUE_DEFINITION.name,
      Attributes: {
        VisibilityTimeout: String(EXPORT_QUEUE_DEFINITION.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
          maxReceiveCount: EXPORT_QUEUE_DEFINITION.maxReceiveCount,
        }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl!;
  // The OS temp dir, not the data dir: a spool lives only while its export is written.
  const deps = { ...core.repositories, exportSpool: new FileExportSpool() };
  const poller = startQueuePoller({
    sqs,
    queueUrl,
    maxInFlight: EXPORTS_IN_FLIGHT,
    handler: createSqsWorkerHandler(
      (delivery) => runExportJob(deps, delivery),
      EXPORT_QUEUE_DEFINITION.maxReceiveCount,
    ),
    log: (line) => log(`export worker: ${line}`),
  });
  return {
    queue: new SqsExportQueue(sqs, queueUrl),
    stop: () => poller.stop(),
  };
}
