import { NonRetryableError } from '../errors.js';
import type { MetricVersion, Scope } from '../ports.js';
import type { Score } from '../schemas/record.js';
import { type Run, RunStatus } from '../schemas/run.js';
import type { CoreDeps } from '../services/deps.js';
import { nowIso } from '../services/deps.js';
import { addTally, aggregateTally, emptyTally, tallyScores } from './aggregates.js';
import type { WorkflowDeps } from './deps.js';
import { humanScoringDone, scorableRecords } from './status.js';

/** Reads every score of the run once, page by page, and tallies them per metric version. */
async function tallyStoredScores(deps: CoreDeps, scope: Scope, run: Run, versions: MetricVersion[]) {
  const byVersion = new Map<string, Score[]>(run.metricVersionIds.map((v) => [v, []]));
  let after: string | undefined;
  for (;;) {
    const page = await deps.records.listByRun(scope, run.id, { limit: 100, after }, run.metricVersionIds.length);
    for (const record of page.items)
      for (const score of record.scores) byVersion.get(score.metricConfigId)?.push(score);
    if (!page.last) break;
    after = page.last;
  }
  return new Map(versions.map((v) => [v.id, tallyScores(v.definition.outputType, byVersion.get(v.id) ?? [])]));
}

/**
 * The same tallies from the summaries the scorer stored as it counted each batch, when they account for every
 * score of the run: every batch summarised in the run's current pass, together holding every record, for
 * every metric of the run, none of them human (people's scores arrive one PUT at a time, not by batch).
 * Otherwise null, and the scores are read. A score replaced by a PUT while the run is still going is only
 * reflected by a later finalization (as after human review).
 */
async function tallyBatchSummaries(deps: Partial<Pick<WorkflowDeps, 'batches'>>, run: Run) {
  if (!deps.batches || run.humanMetricVersionIds.length > 0) return null;
  const summaries = await deps.batches.scoreSummaries(run.id);
  if (summaries.length === 0) return null;
  const tallies = new Map(run.metricVersionIds.map((v) => [v, emptyTally()]));
  let records = 0;
  for (const summary of summaries) {
    if (summary?.generation !== run.generation) return null;
    records += summary.records;
    for (const versionId of run.metricVersionIds) {
      const tally = summary.metrics[versionId];
      if (!tally) return null;
      addTally(tallies.get(versionId)!, tally);
    }
  }
  return records === run.numRecords ? tallies : null;
}

/**
 * The honest end state of a run: cancelled stays cancelled; a run whose every record errored, or whose
 * workflow failed outright, is failed; one still waiting for human scores says so; otherwise completed.
 */
export function finalStatus(run: Run, workflowFailed: boolean): RunStatus {
  if (run.status === 'cancelled') return 'cancelled';
  if (workflowFailed || (run.numRecords > 0 && run.numErroredRecords >= run.numRecords)) return 'failed';
  if (run.humanMetricVersionIds.length > 0 && scorableRecords(run) > 0 && !humanScoringDone(run))
    return 'awaiting_human_scoring';
  return 'completed';
}

/**
 * Computes per-metric aggregates from the stored scores and moves the run to its final status. `error` is set
 * by the state machine when PrepareRun or the whole Map failed. With `expected`, the result is written only if
 * the run's counters still read so (nothing was counted since the caller judged the run done): `finalized`
 * says whether it was.
 */
export async function finalizeRun(
  deps: CoreDeps & Partial<Pick<WorkflowDeps, 'batches'>>,
  input: { runId: string; orgId: string; error?: unknown; expected?: Pick<Run, 'numRecords' | 'numScores'> },
) {
  const scope: Scope = { orgId: input.orgId };
  const run = await deps.runs.get(scope, input.runId);
  if (!run) throw new NonRetryableError(`run ${input.runId} does not exist`);
  const versions = (await Promise.all(run.metricVersionIds.map((id) => deps.metrics.getVersion(scope, id)))).filter(
    (v): v is MetricVersion => v !== null,
  );
  const tallies = (await tallyBatchSummaries(deps, run)) ?? (await tallyStoredScores(deps, scope, run, versions));
  const aggregates = Object.fromEntries(
    versions.map((v) => [v.id, aggregateTally(v, tallies.get(v.id) ?? emptyTally())]),
  );
  const numScores = [...tallies.values()].reduce((n, t) => n + t.n + t.errored, 0);
  const status = finalStatus(run, input.error !== undefined && input.error !== null);
  const done = status !== 'awaiting_human_scoring';
  const updated = await deps.runs.update(
    scope,
    run.id,
    { status, aggregates, numScores, completedAt: done ? nowIso(deps) : null },
    // Finalizing never overwrites a cancel that raced with the last batch.
    { statusIn: RunStatus.options.filter((st) => st !== 'cancelled'), countersAre: input.expected },
  );
  return { runId: run.id, status: updated?.status ?? run.status, finalized: updated !== null };
}
