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

/** Reads the run's status at most once a second, so a cancel stops new work within a second or so. */
export function cancellationProbe(deps: PipelineDeps, scope: Scope, runId: string, initial: Run) {
  let cancelled = initial.status === 'cancelled';
  let checkedAt = Date.now();
  return async () => {
    if (!cancelled && Date.now() - checkedAt > 1000) {
      checkedAt = Date.now();
      cancelled = (await deps.runs.get(scope, runId))?.status === 'cancelled';
    }
    return cancelled;
  };
}

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
