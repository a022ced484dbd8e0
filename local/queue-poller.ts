import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { SqsWorkerHandler } from '../lambdas/aws/sqs-worker.js';

export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn?: string;
  handler: SqsWorkerHandler;
  /** Messages being handled at once; like an event source mapping's maximum concurrency × batch size. */
  maxInFlight?: number;
  log?: (line: string) => void;
}

/** Lambda's event shape for one received message, as an SQS event source mapping builds it. */
export function toSqsRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/**
 * One long-poll loop per queue (never one per concurrency slot: the emulator wakes every waiting poller on each
 * send). Received messages are handed to the handler in Lambda's event shape without blocking the loop; the
 * handler's batchItemFailures are made visible again after a short backoff, the rest deleted.
 */
export function startQueuePoller(options: QueuePollerOptions) {
  const maxInFlight = options.maxInFlight ?? 40;
  const queueArn = options.queueArn ?? `arn:aws:sqs:us-east-1:000000000000:${options.queueUrl.split('/').pop()}`;
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let wakeSlot: (() => void) | null = null;

  const handle = async (messages: Message[]) => {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, queueArn)) };
    const response = await options.handler(event).catch((error: unknown) => {
      options.log?.(`worker invocation failed: ${error instanceof Error ? error.message : String(error)}`);
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const succeeded = messages.filter((m) => !failed.has(m.MessageId!));
    if (succeeded.length > 0) {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: succeeded.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    for (const message of messages.filter((m) => failed.has(m.MessageId!))) {
      // Lambda shortens the visibility timeout too (lambdas/aws/worker-handler.ts, 5 s doubling); locally a
      // linear second per try keeps all five tries of a poisoned message within 15 s.
      const receives = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
      await options.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: message.ReceiptHandle!,
          VisibilityTimeout: Math.min(10, receives),
        }),
      );
    }
  };

  const loop = (async () => {
    while (!stopping) {
      if (inFlight.size >= maxInFlight) {
        await new Promise<void>((resolve) => {
          wakeSlot = resolve;
        });
        continue;
      }
      let messages: Message[] = [];
      try {
        const out = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: Math.min(10, maxInFlight - inFlight.size),
            WaitTimeSeconds: 2,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (stopping) break;
        options.log?.(`receive failed: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      for (const message of messages) {
        const job: Promise<void> = handle([message])
          .catch((error: unknown) => options.log?.(`message handling failed: ${String(error)}`))
          .finally(() => {
            inFlight.delete(job);
            wakeSlot?.();
            wakeSlot = null;
          });
        inFlight.add(job);
      }
    }
  })();

  return {
    get inFlight() {
      return inFlight.size;
    },
    async stop() {
      stopping = true;
      abort.abort();
      wakeSlot?.();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}
