import { NonRetryableError } from '../errors.js';
import type { Scope } from '../ports.js';
import type { RunRecord } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import type { BatchTask, PipelineDeps } from './deps.js';

/** The run and the records of one batch, in manifest order. */
export async function loadBatch(
  deps: PipelineDeps,
  task: BatchTask,
): Promise<{ scope: Scope; run: Run; records: RunRecord[] }> {
  const scope: Scope = { orgId: task.orgId };
  const run = await deps.runs.get(scope, task.runId);
  if (!run) throw new NonRetryableError(`run ${task.runId} does not exist`);
  const ids = await deps.batches.get(run.id, task.batch);
  if (!ids) throw new NonRetryableError(`run ${run.id} has no batch ${task.batch}`);
  const byId = new Map((await deps.records.getMany(scope, ids)).map((r) => [r.id, r]));
  return { scope, run, records: ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])) };
}

/** A cancel stops new work within about a second: the flag is re-read at most once a second per run. */
export function cancellationProbe(deps: PipelineDeps, scope: Scope, runId: string, initial: Run) {
  return async () => initial.status === 'cancelled' || deps.caches.isCancelled(scope, runId);
}

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
