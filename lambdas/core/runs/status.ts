import type { Run, RunStatus } from '../schemas/run.js';
import { FINAL_RUN_STATUSES } from '../schemas/run.js';

/** Metric versions the pipeline scores by itself (everything but human review). */
export const autoMetricVersionIds = (run: Pick<Run, 'metricVersionIds' | 'humanMetricVersionIds'>) =>
  run.metricVersionIds.filter((v) => !run.humanMetricVersionIds.includes(v));

/** Records that executed successfully and so can be scored. */
export const scorableRecords = (run: Pick<Run, 'numExecuted' | 'numErroredRecords'>) =>
  Math.max(0, run.numExecuted - run.numErroredRecords);

/** Every automatic metric has a score (or an errored score) for every scorable record. */
export function autoScoringDone(run: Run): boolean {
  const target = scorableRecords(run);
  return autoMetricVersionIds(run).every((v) => {
    const p = run.statusExplanation[v];
    return (p?.scored ?? 0) + (p?.errored ?? 0) >= target;
  });
}

/** Every human metric has a score for every scorable record. */
export function humanScoringDone(run: Run): boolean {
  const target = scorableRecords(run);
  return run.humanMetricVersionIds.every((v) => (run.statusExplanation[v]?.scored ?? 0) >= target);
}

/**
 * The status a client sees, derived from the counters rather than stored guesses: the stored status only
 * records the phase a run was put in (pending, running, or a final state). Records still expected (a testset's
 * size for SDK-posted runs) count as not yet executed.
 */
export function deriveRunStatus(run: Run): RunStatus {
  if (FINAL_RUN_STATUSES.includes(run.status) || run.status === 'awaiting_human_scoring') return run.status;
  if (run.numRecords === 0) return 'pending';
  const expected = Math.max(run.numRecords, run.numExpectedRecords ?? 0);
  if (run.numExecuted < expected) return run.numExecuted === 0 ? 'awaiting_execution' : 'running_execution';
  const auto = autoMetricVersionIds(run);
  const touched = auto.some(
    (v) => (run.statusExplanation[v]?.scored ?? 0) + (run.statusExplanation[v]?.errored ?? 0) > 0,
  );
  return touched || auto.length === 0 ? 'running_scoring' : 'awaiting_scoring';
}
