import type { BatchTask, WorkflowDeps } from './deps.js';
import { executionCountKey } from './execute-batch.js';
import { loadBatch } from './load-batch.js';

/**
 * The state machine's Catch for a batch that could not be executed or scored: its unfinished records become
 * errored with the reason, so the run can still finish with an honest count.
 */
export async function markBatchErrored(
  deps: WorkflowDeps,
  input: BatchTask & { error?: { Error?: string; Cause?: string } },
) {
  const { scope, run, records, stored } = await loadBatch(deps, input, 'build');
  const reason = `batch failed: ${input.error?.Error ?? 'unknown error'}${input.error?.Cause ? ` — ${input.error.Cause.slice(0, 500)}` : ''}`;
  const unfinished = records.filter((r) => r.status === 'pending' || r.status === 'running');
  const marked = unfinished.map((r) => ({ ...r, status: 'errored' as const, error: reason }));
  // Records the executor never wrote: the unfinished ones now errored, and any errored before they ran.
  const unwritten = records.filter((r) => r.status === 'errored' && !stored.has(r.id));
  await deps.records.insertMany(scope, [...marked, ...unwritten], run.projectId);
  // The executor never counted this batch (it failed), so its totals are added here, once.
  const errored = records.filter((r) => r.status === 'errored').length + marked.length;
  const executed = records.filter((r) => r.status === 'completed').length + errored;
  await deps.runs.addCounters(scope, run.id, { executed, erroredRecords: errored }, executionCountKey(input.batch));
  return { runId: run.id, batch: input.batch, marked: marked.length };
}
