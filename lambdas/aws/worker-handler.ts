import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { handleWorkerMessage } from '../core/pipeline/worker.js';
import type { pipelineRuntime } from './lambda-runtime.js';
import { QUEUE_DEFINITIONS, type QueueRole, retryVisibilitySeconds } from './queue-definitions.js';
import { createSqsWorkerHandler } from './sqs-worker.js';

/**
 * The executor's or the scorer's SQS handler: the shared worker over the Lambda's runtime, with each failed
 * message made visible again after a short backoff instead of the queue's long visibility timeout.
 */
export function workerHandler(runtime: Awaited<ReturnType<typeof pipelineRuntime>>, role: QueueRole) {
  const queueUrl = role === 'executor' ? runtime.config.EXECUTOR_QUEUE_URL : runtime.config.SCORER_QUEUE_URL;
  return createSqsWorkerHandler(
    (delivery) => handleWorkerMessage(runtime.deps, runtime.callbacks, delivery),
    QUEUE_DEFINITIONS[role].maxReceiveCount,
    {
      onRetry: queueUrl
        ? async (record) => {
            await runtime.clients.sqs.send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: queueUrl,
                ReceiptHandle: record.receiptHandle,
                VisibilityTimeout: retryVisibilitySeconds(Number(record.attributes.ApproximateReceiveCount ?? '1')),
              }),
            );
          }
        : undefined,
    },
  );
}
