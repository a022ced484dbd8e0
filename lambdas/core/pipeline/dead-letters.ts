import { completeIfDone } from '../runs/complete.js';
import { metricVersionIdsToScore } from '../runs/status.js';
import { StaleTaskTokenError, type TaskCallbacks } from '../workflow/task-callbacks.js';
import type { PipelineDeps } from './deps.js';
import { markBatchErrored } from './mark-batch-errored.js';
import { WorkerMessage } from './worker.js';

export interface DeadLetter {
  /** Which worker queue the message died on. */
  queue: 'executor' | 'scorer';
  body: string;
  /** How many deliveries it failed (the queue's maxReceiveCount). */
  deliveries: number;
}

export type DeadLetterOutcome =
  | { kind: 'malformed' }
  | { kind: 'reported'; runId: string; batch: number }
  | { kind: 'marked'; runId: string; records: number };

/**
 * A message that failed every delivery and sat in a dead-letter queue would leave its run waiting for ever. Its
 * records become errored with the reason instead, so the run can finish with an honest count: a batch's waiting
 * task is failed (the state machine's Catch marks the batch errored), or, when nothing waits on it any more, the
 * batch is marked here; posted records that still lack a score become errored records and the run is finished if
 * it is done. Delivered twice, it changes nothing the second time.
 */
export async function handleDeadLetter(
  deps: PipelineDeps,
  callbacks: TaskCallbacks,
  letter: DeadLetter,
): Promise<DeadLetterOutcome> {
  let parsed: ReturnType<typeof WorkerMessage.safeParse>;
  try {
    parsed = WorkerMessage.safeParse(JSON.parse(letter.body));
  } catch {
    return { kind: 'malformed' };
  }
  if (!parsed.success) return { kind: 'malformed' };
  const message = parsed.data;
  const reason = `its ${letter.queue} message failed all ${letter.deliveries} deliveries and went to the dead-letter queue`;
  const scope = { orgId: message.orgId };
  if (message.kind !== 'score-records') {
    try {
      await callbacks.fail(message.taskToken, 'Verdict.Fatal', reason);
    } catch (error) {
      if (!(error instanceof StaleTaskTokenError)) throw error;
      await markBatchErrored(deps, { ...message, error: { Error: 'Verdict.DeadLetter', Cause: reason } });
    }
    return { kind: 'reported', runId: message.runId, batch: message.batch };
  }
  const run = await deps.runs.get(scope, message.runId);
  if (!run || run.status === 'cancelled') return { kind: 'marked', runId: message.runId, records: 0 };
  const versions = metricVersionIdsToScore(run);
  const records = await deps.records.getMany(scope, message.recordIds);
  const written = await deps.scores.writtenInPass(
    scope,
    records.map((r) => r.id),
    versions,
    run.generation,
  );
  const unscored = records.filter(
    (r) => r.status === 'completed' && versions.some((v) => !written.has(`${r.id}/${v}`)),
  );
  const error = `not scored: ${reason}`;
  for (const record of unscored) {
    await deps.records.replace(scope, { ...record, status: 'errored', error }, run.projectId);
  }
  if (unscored.length > 0) {
    await deps.runs.addCounters(scope, run.id, { erroredRecords: unscored.length, firstRecordError: error });
  }
  await completeIfDone(deps, scope, run.id);
  return { kind: 'marked', runId: run.id, records: unscored.length };
}
