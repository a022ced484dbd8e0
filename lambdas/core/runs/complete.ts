import type { CoreDeps } from '../deps.js';
import type { Scope } from '../ports.js';
import type { Run } from '../schemas/run.js';
import { finalizeRun, storedScoreTallies } from './finalize.js';
import { autoScoringDone, humanScoringDone, recordsAllIn } from './status.js';

/**
 * After any score is written, and when a run is closed: finish an SDK-fed run that is complete, or a run whose human reviews are all in.
 * (A record posted to a finished run reopens it, see postRecords, so it is finished again from here.)
 */
export async function completeIfDone(deps: CoreDeps, scope: Scope, runId: string) {
  // Runs finished here were scored record by record or by people, never summarised by batch: read the scores.
  // The finalization is applied only if nothing was counted since the run was judged done; if a record or score
  // arrived meanwhile, judge again (a burst of posted records keeps the counters moving).
  for (let attempt = 0; attempt < 10; attempt++) {
    const run = await deps.runs.get(scope, runId);
    if (!run || !readyToFinalize(run)) return false;
    const { numRecords, numScores, status } = run;
    const result = await finalizeRun(
      deps,
      { runId, orgId: scope.orgId, expected: { numRecords, numScores, status } },
      storedScoreTallies(deps),
    );
    if (result.finalized) return true;
  }
  return false;
}

function readyToFinalize(run: Run): boolean {
  if (run.status === 'awaiting_human_scoring') return humanScoringDone(run);
  if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') return false;
  if (!recordsAllIn(run)) return false;
  return autoScoringDone(run);
}
