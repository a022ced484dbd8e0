import { type CoreDeps, nowIso, requireRun } from '../deps.js';
import { VerdictError } from '../errors.js';
import type { Scope } from '../ports.js';
import type { Run } from '../schemas/run.js';
import { completeIfDone } from './complete.js';
import { isExecutedRun } from './lifecycle.js';
import { presentRun } from './status.js';

/** How long a run fed from outside, with no count to wait for, stays open without a new record (minutes). */
export const DEFAULT_IDLE_CLOSE_MINUTES = 60;

/** Records posted to a closed run: a retry cannot help, so the client is told not to. */
export const runClosed = (run: Pick<Run, 'id' | 'closedAt'>) =>
  new VerdictError(
    409,
    'run_closed',
    `run ${run.id} was finished at ${run.closedAt} and takes no more records; start a new run for them`,
  );

/**
 * "No more records" (POST /runs/{id}/finish, or Scorecard's PATCH {status: "awaiting_scoring"}): the run is
 * closed, and it moves on as its counters say: scoring while scores are owed, human scoring, or completed.
 * Finishing a closed or finished run again is a no-op, so retries are safe. Runs Verdict executes itself
 * finish by themselves, and a cancelled run stays cancelled.
 */
export async function finishRun(
  deps: CoreDeps,
  scope: Scope,
  runId: string,
  by: Run['closedBy'] = 'client',
): Promise<Run> {
  const run = await requireRun(deps, scope, runId);
  if (run.status === 'cancelled') throw new VerdictError(409, 'run_cancelled', `run ${runId} was cancelled`);
  if (!run.closedAt) {
    if (await isExecutedRun(deps, scope, run)) {
      throw new VerdictError(
        409,
        'run_executed_by_verdict',
        `run ${runId} is executed by Verdict over its testset and finishes by itself; finish is for runs fed through the API`,
      );
    }
    // Only the first close counts: an explicit finish and the idle sweep racing leave one closedAt.
    await deps.runs.update(scope, runId, { closedAt: nowIso(deps), closedBy: by }, { open: true });
  }
  await completeIfDone(deps, scope, runId);
  return presentRun(await requireRun(deps, scope, runId));
}

/**
 * The idle sweep: closes every run fed from outside that knows no record count (no testset) and has had no new
 * record for `idleMinutes`, as if its client had finished it. Returns the ids it closed.
 */
export async function closeIdleRuns(
  deps: CoreDeps,
  now: Date,
  idleMinutes = DEFAULT_IDLE_CLOSE_MINUTES,
): Promise<string[]> {
  const bound = now.getTime() - idleMinutes * 60_000;
  const closed: string[] = [];
  for (const { orgId, run } of await deps.runs.listActive()) {
    // Stored `pending` with no expected count: fed through the API, never planned by the pipeline.
    if (run.closedAt || run.numExpectedRecords !== null || run.status !== 'pending') continue;
    if (run.source !== 'api' && run.source !== 'kickoff') continue;
    const last = Date.parse(run.lastRecordAt ?? run.createdAt);
    if (!(last <= bound)) continue;
    const scope = { orgId };
    if (await isExecutedRun(deps, scope, run)) continue;
    const updated = await deps.runs.update(
      scope,
      run.id,
      { closedAt: now.toISOString(), closedBy: 'idle' },
      { open: true },
    );
    if (!updated) continue;
    closed.push(run.id);
    await completeIfDone(deps, scope, run.id);
  }
  return closed;
}
