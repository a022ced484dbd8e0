import type { CoreDeps } from '../deps.js';
import type { Scope } from '../ports.js';
import type { Run } from '../schemas/run.js';
import { closeIdleRuns, DEFAULT_IDLE_CLOSE_MINUTES } from './close.js';
import { finalizeRun, storedScoreTallies } from './finalize.js';
import { isExecutedRun } from './lifecycle.js';
import type { RunExecutions } from './ports.js';

/** How long a run Verdict executes may go without a counted record or score before it is settled (minutes). */
export const DEFAULT_STUCK_RUN_MINUTES = 180;

export interface SweepOptions {
  idleMinutes?: number;
  stuckMinutes?: number;
  executions: RunExecutions;
}

/** The run's last sign of life: a counted record or score, else its start, else its creation. */
const lastProgress = (run: Run) => Date.parse(run.lastProgressAt ?? run.startedAt ?? run.createdAt);

/**
 * Settles the runs Verdict executes that can no longer finish by themselves: their workflow execution ended
 * without finalizing them (failed, timed out, stopped, history limit), or nothing was counted for
 * `stuckMinutes`. Each is finalized through FinalizeRun's own path with the reason as the workflow's error, so
 * runStatus makes it `failed` and its statusReason says why (the records that did finish keep their results).
 */
export async function settleStuckRuns(
  deps: CoreDeps,
  now: Date,
  options: { stuckMinutes?: number; executions: RunExecutions },
): Promise<Array<{ runId: string; reason: string }>> {
  const minutes = options.stuckMinutes ?? DEFAULT_STUCK_RUN_MINUTES;
  const bound = now.getTime() - minutes * 60_000;
  const settled: Array<{ runId: string; reason: string }> = [];
  for (const { orgId, run } of await deps.runs.listActive()) {
    if (run.status === 'awaiting_human_scoring' || run.status === 'cancelled') continue;
    const scope: Scope = { orgId };
    // Runs fed from outside are their client's to finish (or the idle sweep's); a monitor run is executed too.
    if (run.source !== 'monitor' && !(await isExecutedRun(deps, scope, run))) continue;
    const ended = await options.executions.endedWithoutFinalizing(scope, run.id);
    const stale = lastProgress(run) <= bound;
    if (!ended && !stale) continue;
    const since = new Date(lastProgress(run)).toISOString();
    const reason = ended
      ? `settled by the stuck-run sweeper: its evaluation workflow ended without finalizing it (${ended})`
      : `settled by the stuck-run sweeper: no record or score was counted for ${minutes} minutes (last at ${since})`;
    const result = await finalizeRun(
      deps,
      {
        runId: run.id,
        orgId,
        error: { Error: 'Verdict.StuckRun', Cause: reason },
        expected: { numRecords: run.numRecords, numScores: run.numScores },
      },
      storedScoreTallies(deps),
    );
    // Counted meanwhile: it is moving after all, the next sweep looks again.
    if (result.finalized) settled.push({ runId: run.id, reason });
  }
  return settled;
}

/** One scheduled sweep: idle runs fed from outside are closed, stuck runs Verdict executes are settled. */
export async function sweepRuns(deps: CoreDeps, now: Date, options: SweepOptions) {
  const closed = await closeIdleRuns(deps, now, options.idleMinutes ?? DEFAULT_IDLE_CLOSE_MINUTES);
  const settled = await settleStuckRuns(deps, now, options);
  return { closed, settled };
}
