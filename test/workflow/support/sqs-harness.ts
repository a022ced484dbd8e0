import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import type { QueueSender } from '../../../local/stepfunctions/task-handlers.js';

/** What the run-evaluation machine puts on the executor and scorer queues. */
export interface TaskMessage {
  kind: 'execute' | 'score';
  runId: string;
  batch: number;
  taskToken: string;
}

export interface SqsHarness {
  sqs: SQSClient;
  queues: QueueSender;
  createQueue(name: string): string;
  stop(): Promise<void>;
}

/** fauxqs in-process on a free port, and the real SQS client pointed at it. */
export async function startSqsHarness(): Promise<SqsHarness> {
  const server: FauxqsServer = await startFauxqs({ port: 0, logger: false });
  const sqs = new SQSClient({
    endpoint: server.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    sqs,
    queues: {
      async send(queueUrl, body) {
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      },
    },
    createQueue: (name) => server.createQueue(name).queueUrl,
    async stop() {
      sqs.destroy();
      await server.stop();
    },
  };
}

/**
 * One long-poll loop per queue, as the real workers run, handing each message to `onMessage` after deleting
 * it. Stopping aborts the in-flight receives, so no test waits out a long poll.
 */
export function startTestPoller(
  sqs: SQSClient,
  queueUrls: readonly string[],
  onMessage: (message: TaskMessage) => Promise<void>,
): { stop(): Promise<void> } {
  const controller = new AbortController();
  const poll = async (queueUrl: string): Promise<void> => {
    while (!controller.signal.aborted) {
      const received = await sqs
        .send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }), {
          abortSignal: controller.signal,
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) return { Messages: [] };
          throw error;
        });
      for (const message of received.Messages ?? []) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        await onMessage(JSON.parse(message.Body ?? '{}') as TaskMessage);
      }
    }
  };
  const loops = queueUrls.map(poll);
  return {
    async stop() {
      controller.abort();
      await Promise.all(loops);
    },
  };
}
