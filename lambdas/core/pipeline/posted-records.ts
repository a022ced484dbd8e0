import type { Scope } from '../ports.js';
import type { CoreDeps } from '../services/deps.js';
import type { PipelineDeps } from './deps.js';
import { finalizeRun } from './finalize-run.js';
import { scoreRecords } from './score-batch.js';
import { autoScoringDone, humanScoringDone } from './status.js';

/**
 * Records posted through the API (the SDK's runAndEvaluate) are scored as they arrive. The run completes
 * itself once the expected number of records is in and every automatic score is written: SDK clients never
 * mark a run finished.
 */
export async function scorePostedRecords(
  deps: PipelineDeps,
  input: { orgId: string; runId: string; recordIds: string[] },
) {
  const scope: Scope = { orgId: input.orgId };
  const run = await deps.runs.get(scope, input.runId);
  if (!run || run.status === 'cancelled') return;
  const records = await deps.records.getMany(scope, input.recordIds);
  await scoreRecords(deps, scope, run, records);
  await completeIfDone(deps, scope, input.runId);
}

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
