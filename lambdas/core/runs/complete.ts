import type { CoreDeps } from '../deps.js';
import type { Scope } from '../ports.js';
import { finalizeRun } from './finalize.js';
import { autoScoringDone, humanScoringDone } from './status.js';

/** After any score is written: finish an SDK-fed run that is complete, or a run whose human reviews are all in. */
export async function completeIfDone(deps: CoreDeps, scope: Scope, runId: string) {
  // Runs finished here were scored record by record or by people, never summarised by batch: read the scores.
  const finalize = () => finalizeRun({ ...deps, batches: undefined }, { runId, orgId: scope.orgId });
  const run = await deps.runs.get(scope, runId);
  if (run?.status === 'awaiting_human_scoring' && humanScoringDone(run)) {
    await finalize();
    return true;
  }
  if (!run || run.numExpectedRecords === null || run.numRecords < run.numExpectedRecords) return false;
  if (run.status === 'completed' || run.status === 'failed' || run.status === 'cancelled') return false;
  if (!autoScoringDone(run)) return false;
  await finalize();
  return true;
}
