import { Logger } from '@aws-lambda-powertools/logger';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { handleDeadLetter } from '../core/pipeline/dead-letters.js';
import { handleWorkerMessage } from '../core/pipeline/worker.js';
import type { pipelineRuntime } from './lambda-runtime.js';
import { QUEUE_DEFINITIONS, type QueueRole, retryVisibilitySeconds } from './queue-definitions.js';
import { createSqsWorkerHandler, withDeadLetters } from './sqs-worker.js';
import { loggedDeliveries } from './worker-log.js';
import { instrumentWorker } from './worker-metrics.js';

/**
 * The executor's or the scorer's SQS handler: the shared worker over the Lambda's runtime, fed by its queue and
 * by that queue's dead-letter queue (a poisoned message's records become errored). A failed work message is made
 * visible again after a short backoff instead of the queue's long visibility timeout.
 */
export function workerHandler(base: Awaited<ReturnType<typeof pipelineRuntime>>, role: QueueRole) {
  // EMF metrics: records/scores per batch and LLM latency (worker-metrics.ts), published after each invocation.
  const runtime = { ...base, ...instrumentWorker(base, role) };
  const { config } = runtime;
  const queueUrl = role === 'executor' ? config.EXECUTOR_QUEUE_URL : config.SCORER_QUEUE_URL;
  const deliveries = QUEUE_DEFINITIONS[role].maxReceiveCount;
  const logger = new Logger({ serviceName: `verdict-${role}` });
  const handler = createSqsWorkerHandler(
    withDeadLetters(
      loggedDeliveries(logger, (delivery) => handleWorkerMessage(runtime.deps, runtime.callbacks, delivery)),
      config.DEAD_LETTER_QUEUE_ARN,
      (delivery) => handleDeadLetter(runtime.deps, runtime.callbacks, { queue: role, body: delivery.body, deliveries }),
    ),
    deliveries,
    {
      onRetry: async (record) => {
        // A dead letter that failed waits out its own queue's timeout: there is no hurry to retry it.
        if (!queueUrl || record.eventSourceARN === config.DEAD_LETTER_QUEUE_ARN) return;
        await runtime.clients.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: retryVisibilitySeconds(Number(record.attributes.ApproximateReceiveCount ?? '1')),
          }),
        );
      },
    },
  );
  return runtime.publishing((event, context) => {
    if (context) logger.addContext(context);
    return handler(event, context);
  });
}
