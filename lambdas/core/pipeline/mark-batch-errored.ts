import type { BatchTask, PipelineDeps } from './deps.js';
import { loadBatch } from './load-batch.js';

/**
 * The state machine's Catch for a batch that could not be executed or scored: its unfinished records become
 * errored with the reason, so the run can still finish with an honest count.
 */
export async function markBatchErrored(
  deps: PipelineDeps,
  input: BatchTask & { error?: { Error?: string; Cause?: string } },
) {
  const { scope, run, records } = await loadBatch(deps, input);
  const reason = `batch failed: ${input.error?.Error ?? 'unknown error'}${input.error?.Cause ? ` — ${input.error.Cause.slice(0, 500)}` : ''}`;
  let marked = 0;
  for (const record of records) {
    if (record.status !== 'pending' && record.status !== 'running') continue;
    if (await deps.records.finishExecution(scope, { ...record, status: 'errored', error: reason }, run.projectId)) {
      marked++;
      await deps.runs.addCounters(scope, run.id, { executed: 1, erroredRecords: 1 });
    }
  }
  return { runId: run.id, batch: input.batch, marked };
}
