import type { Run, RunStatus } from '../schemas/run.js';
import { FINAL_RUN_STATUSES } from '../schemas/run.js';

/**
 * The one place a run's status is decided. Storage keeps facts: the phase a run was put in (`pending`,
 * `running_execution` once PrepareRun planned it, or a final state), its counters and per-metric progress.
 * `runStatus` turns those facts into the status a client sees and, when the run is being finalized, into the
 * status it ends in. test/unit/run-status.test.ts walks every transition.
 */
export type RunFacts = Pick<
  Run,
  | 'status'
  | 'numRecords'
  | 'numExpectedRecords'
  | 'numExecuted'
  | 'numErroredRecords'
  | 'metricVersionIds'
  | 'humanMetricVersionIds'
  | 'statusExplanation'
  | 'closedAt'
>;

/** Metric versions the pipeline scores by itself (everything but human review). */
export const autoMetricVersionIds = (run: Pick<Run, 'metricVersionIds' | 'humanMetricVersionIds'>) =>
  run.metricVersionIds.filter((v) => !run.humanMetricVersionIds.includes(v));

/**
 * The metric versions the current scoring pass judges: every automatic one, or after a rescore only those it
 * named (the others keep the scores of their earlier pass).
 */
export const metricVersionIdsToScore = (
  run: Pick<Run, 'metricVersionIds' | 'humanMetricVersionIds' | 'rescoredMetricVersionIds'>,
) => {
  const auto = autoMetricVersionIds(run);
  const rescored = run.rescoredMetricVersionIds;
  return rescored ? auto.filter((v) => rescored.includes(v)) : auto;
};

/** Records that executed successfully and so can be scored. */
export const scorableRecords = (run: Pick<Run, 'numExecuted' | 'numErroredRecords'>) =>
  Math.max(0, run.numExecuted - run.numErroredRecords);

/** Every automatic metric has a score (or an errored score) for every scorable record. */
export function autoScoringDone(run: RunFacts): boolean {
  const target = scorableRecords(run);
  return autoMetricVersionIds(run).every((v) => {
    const p = run.statusExplanation[v];
    return (p?.scored ?? 0) + (p?.errored ?? 0) >= target;
  });
}

/** Every human metric has a score for every scorable record. */
export function humanScoringDone(run: RunFacts): boolean {
  const target = scorableRecords(run);
  return run.humanMetricVersionIds.every((v) => (run.statusExplanation[v]?.scored ?? 0) >= target);
}

/**
 * Every record the run will get is in: it was closed (finished by its client, or for idleness), or the count it
 * expects (its testset's size × trials) has arrived. A run fed from outside without a testset knows no count, so
 * only closing it says it is done.
 */
export const recordsAllIn = (run: Pick<RunFacts, 'closedAt' | 'numRecords' | 'numExpectedRecords'>) =>
  Boolean(run.closedAt) || (run.numExpectedRecords !== null && run.numRecords >= run.numExpectedRecords);

/** The records the run waits for before scoring can finish: what it has once closed, else what it expects. */
const recordsAwaited = (run: Pick<RunFacts, 'closedAt' | 'numRecords' | 'numExpectedRecords'>) =>
  run.closedAt ? run.numRecords : Math.max(run.numRecords, run.numExpectedRecords ?? 0);

/** How the run is being finalized: the state machine says whether its workflow failed outright. */
export interface Finalizing {
  workflowFailed: boolean;
}

/**
 * The status of a run, from its facts alone.
 * - A cancelled run stays cancelled, whatever else happens.
 * - Finalizing: failed if the workflow failed or every record errored; awaiting_human_scoring while people
 *   still owe scores; otherwise completed (a metric whose every score errored is flagged on the metric, see
 *   `metricOutcome`, not hidden in a green run).
 * - Otherwise a final or human-waiting phase is what it says; an active run reads its counters: nothing
 *   recorded yet is pending; records still expected (a testset's size for posted runs) mean execution is
 *   awaited or running, and so does a run fed from outside that knows no count and was not closed yet (more
 *   records may come); then scoring is awaited until the first score lands, and running after.
 */
export function runStatus(run: RunFacts, finalizing?: Finalizing): RunStatus {
  if (run.status === 'cancelled') return 'cancelled';
  if (finalizing) {
    if (finalizing.workflowFailed || (run.numRecords > 0 && run.numErroredRecords >= run.numRecords)) return 'failed';
    if (run.humanMetricVersionIds.length > 0 && scorableRecords(run) > 0 && !humanScoringDone(run))
      return 'awaiting_human_scoring';
    return 'completed';
  }
  if (FINAL_RUN_STATUSES.includes(run.status) || run.status === 'awaiting_human_scoring') return run.status;
  if (run.numRecords === 0) return 'pending';
  const expected = recordsAwaited(run);
  if (run.numExecuted < expected) return run.numExecuted === 0 ? 'awaiting_execution' : 'running_execution';
  // Stored `pending` is a run fed from outside (PrepareRun never planned it): open, it may get more records.
  if (run.status === 'pending' && !recordsAllIn(run)) return 'running_execution';
  const auto = autoMetricVersionIds(run);
  const touched = auto.some(
    (v) => (run.statusExplanation[v]?.scored ?? 0) + (run.statusExplanation[v]?.errored ?? 0) > 0,
  );
  return touched || auto.length === 0 ? 'running_scoring' : 'awaiting_scoring';
}

/** A metric whose every score errored gave no result: flagged rather than left to look like a quiet pass. */
const allErrored = (p: { scored: number; errored: number } | undefined) =>
  p !== undefined && p.scored === 0 && p.errored > 0;

/** The status in one sentence, with the reasons a reader needs to trust (or distrust) it. */
export function statusReason(run: Run, status: RunStatus = runStatus(run)): string {
  const parts: string[] = [];
  if (status === 'failed') parts.push(run.failureReason ?? run.firstRecordError ?? 'every record errored');
  const expected = recordsAwaited(run);
  const open = !recordsAllIn(run) && run.numExpectedRecords === null;
  if (status === 'awaiting_execution' || status === 'running_execution' || status === 'pending') {
    parts.push(
      open
        ? `${run.numRecords} records in, more may come: finish the run (POST /runs/${run.id}/finish) when all are posted`
        : `${run.numExecuted} of ${expected} records in`,
    );
  }
  if (run.closedBy === 'idle') {
    parts.push(`closed for idleness at ${run.closedAt}: no new record since ${run.lastRecordAt ?? run.createdAt}`);
  }
  if (run.numErroredRecords > 0 && status !== 'failed') {
    const invalid = run.numInvalidRecords ?? 0;
    parts.push(
      `${run.numErroredRecords} of ${run.numRecords} records errored` +
        (invalid > 0 ? ` (${invalid} not run: testcase failed validation)` : '') +
        (run.firstRecordError ? `, first: ${run.firstRecordError}` : ''),
    );
  }
  if (status === 'completed' && run.numExpectedRecords !== null && run.numRecords < run.numExpectedRecords) {
    parts.push(`${run.numExpectedRecords - run.numRecords} of ${run.numExpectedRecords} expected records never posted`);
  }
  for (const versionId of run.metricVersionIds) {
    const progress = run.statusExplanation[versionId];
    if (!allErrored(progress)) continue;
    const name = run.aggregates?.[versionId]?.name ?? versionId;
    parts.push(`metric ${name} gave no result: every score errored (${progress?.lastError ?? 'unknown error'})`);
  }
  return parts.length ? `${status}: ${parts.join('; ')}` : status;
}

/** A run as clients see it: its status decided from its facts, and said with its reasons. */
export function presentRun(run: Run): Run {
  const status = runStatus(run);
  const statusExplanation = Object.fromEntries(
    Object.entries(run.statusExplanation).map(([v, p]) => [v, allErrored(p) ? { ...p, allErrored: true as const } : p]),
  );
  return { ...run, status, statusExplanation, statusReason: statusReason(run, status) };
}
