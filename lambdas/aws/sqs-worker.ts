import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Delivery } from '../core/pipeline/worker.js';

export type SqsWorkerHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/**
 * An SQS-triggered handler with partial batch failures (Powertools BatchProcessor): messages that throw are
 * reported in batchItemFailures and redelivered; the rest are deleted. The local poller calls this very
 * function with the same event shape Lambda's event source mapping builds.
 */
export function createSqsWorkerHandler(
  handleMessage: (delivery: Delivery) => Promise<void>,
  maxReceiveCount: number,
  options: {
    /**
     * Called for a message that failed and goes back to the queue. The queue's visibility timeout is 6× the
     * function's (AWS's rule for event sources), far too long to wait before a retry: the Lambda shortens it here
     * (the local poller does the same on its side).
     */
    onRetry?: (record: SQSRecord) => Promise<void>;
  } = {},
): SqsWorkerHandler {
  const recordHandler = async (record: SQSRecord, context?: Context) => {
    try {
      await handleMessage({
        body: record.body,
        receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
        maxReceiveCount,
        source: record.eventSourceARN,
        remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined,
      });
    } catch (error) {
      await options.onRetry?.(record).catch(() => undefined);
      throw error;
    }
  };
  return async (event, context) =>
    // A processor holds per-invocation state; concurrent local invocations each need their own.
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      context,
      processInParallel: true,
      throwOnFullBatchFailure: false,
    });
}

/**
 * A worker's message handler that also consumes its dead-letter queue: messages from `deadLetterQueueArn` go to
 * `handleDeadLetter` (their records become errored with the reason), the rest to `handleMessage`.
 */
export function withDeadLetters(
  handleMessage: (delivery: Delivery) => Promise<void>,
  deadLetterQueueArn: string | undefined,
  handleDeadLetter: (delivery: Delivery) => Promise<unknown>,
) {
  return async (delivery: Delivery) => {
    if (deadLetterQueueArn && delivery.source === deadLetterQueueArn) {
      await handleDeadLetter(delivery);
      return;
    }
    await handleMessage(delivery);
  };
}
