import * as z from 'zod';
import { NonRetryableError } from '../errors.js';
import { StaleTaskTokenError, type TaskCallbacks } from '../workflow/task-callbacks.js';
import type { PipelineDeps, RemainingTime } from './deps.js';
import { executeBatch } from './execute-batch.js';
import { errorMessage } from './load-batch.js';
import { scorePostedRecords } from './posted-records.js';
import { scoreBatch } from './score-batch.js';

const BatchMessage = z.object({
  kind: z.enum(['execute', 'score']),
  orgId: z.string().min(1),
  runId: z.string().min(1),
  batch: z.number().int().min(0),
  taskToken: z.string().min(1),
});
const PostedRecordsMessage = z.object({
  kind: z.literal('score-records'),
  orgId: z.string().min(1),
  runId: z.string().min(1),
  recordIds: z.array(z.string().min(1)).min(1),
  /** Set when these records were just posted and are in no other message: they are counted per message. */
  posted: z.boolean().optional(),
});
export const WorkerMessage = z.discriminatedUnion('kind', [BatchMessage, PostedRecordsMessage]);
export type WorkerMessage = z.infer<typeof WorkerMessage>;

/** Record ids per scoring message of posted records: ~3 KB, far under SQS's 256 KB. */
const RECORDS_PER_MESSAGE = 100;

/**
 * The scorer messages that queue these records for scoring. `posted` says the records were just posted and
 * are queued in these messages only (the API's intake), so each message can be counted as a whole; records
 * queued again later (resuming after a restart) are counted score by score.
 */
export function scoreRecordsMessages(
  scope: { orgId: string },
  runId: string,
  recordIds: string[],
  options: { posted?: boolean } = {},
): string[] {
  const messages: string[] = [];
  for (let i = 0; i < recordIds.length; i += RECORDS_PER_MESSAGE) {
    const chunk = recordIds.slice(i, i + RECORDS_PER_MESSAGE);
    const posted = options.posted ? { posted: true } : {};
    messages.push(JSON.stringify({ kind: 'score-records', orgId: scope.orgId, runId, recordIds: chunk, ...posted }));
  }
  return messages;
}

export interface Delivery {
  body: string;
  /** SQS's ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  /** The queue's redrive limit: on this delivery a failure is reported to the state machine, not retried. */
  maxReceiveCount: number;
  /** The queue it came from (SQS's eventSourceARN). */
  source?: string;
  /** How long this invocation has left (Lambda's context); absent where nothing cuts a worker off. */
  remainingMs?: RemainingTime;
}

/** How often a worker tells the waiting task it is alive (the ASL's HeartbeatSeconds is 1,200). */
export const HEARTBEAT_INTERVAL_MS = 5 * 60_000;

/**
 * One SQS message for the executor or the scorer. Success reports back to the waiting state. A failure that can
 * pass (a throttle, a crash, running out of time) is thrown, so SQS redelivers it and the handlers skip what the
 * earlier try saved; on the queue's last delivery it is reported as `Verdict.Transient`, so the state machine's
 * Retry sends the batch again in a fresh message (then its Catch marks the batch errored). A failure that cannot
 * pass (NonRetryableError) is reported at once as `Verdict.Fatal`. While it works, the worker sends heartbeats.
 */
export async function handleWorkerMessage(
  deps: PipelineDeps,
  callbacks: TaskCallbacks,
  delivery: Delivery,
): Promise<void> {
  const parsed = WorkerMessage.safeParse(JSON.parse(delivery.body));
  if (!parsed.success) throw new Error(`malformed worker message: ${parsed.error.message}`);
  const message = parsed.data;
  if (message.kind === 'score-records') {
    await scorePostedRecords(deps, message);
    return;
  }
  let output: unknown;
  const beat = heartbeats(callbacks, message.taskToken);
  try {
    const task = { orgId: message.orgId, runId: message.runId, batch: message.batch };
    output =
      message.kind === 'execute'
        ? await executeBatch(deps, task, delivery.receiveCount, delivery.remainingMs)
        : await scoreBatch(deps, task, delivery.receiveCount, delivery.remainingMs);
  } catch (error) {
    if (error instanceof NonRetryableError) {
      await report(() => callbacks.fail(message.taskToken, 'Verdict.Fatal', errorMessage(error)));
      return;
    }
    if (delivery.receiveCount < delivery.maxReceiveCount) throw error;
    await report(() => callbacks.fail(message.taskToken, 'Verdict.Transient', errorMessage(error)));
    return;
  } finally {
    beat.stop();
  }
  await report(() => callbacks.succeed(message.taskToken, output));
}

/**
 * One heartbeat when the batch is picked up (the task may have waited in the queue) and one every interval while
 * it runs; a heartbeat that fails is only logged by its absence: the task's HeartbeatSeconds decides.
 */
function heartbeats(callbacks: TaskCallbacks, taskToken: string) {
  const send = () => void callbacks.heartbeat?.(taskToken).catch(() => undefined);
  send();
  const timer = setInterval(send, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** A stale token means the state machine moved on (timeout, retry, stop): acknowledge and drop the message. */
async function report(send: () => Promise<void>) {
  try {
    await send();
  } catch (error) {
    if (!(error instanceof StaleTaskTokenError)) throw error;
  }
}
