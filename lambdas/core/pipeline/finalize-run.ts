import { NonRetryableError } from '../errors.js';
import type { MetricVersion, Scope } from '../ports.js';
import type { Score } from '../schemas/record.js';
import { type Run, RunStatus } from '../schemas/run.js';
import type { CoreDeps } from '../services/deps.js';
import { nowIso } from '../services/deps.js';
import { aggregateScores } from './aggregates.js';
import { humanScoringDone, scorableRecords } from './status.js';

/** Reads every score of the run once, page by page, grouped by metric version. */
async function scoresByVersion(deps: CoreDeps, scope: Scope, run: Run) {
  const byVersion = new Map<string, Score[]>(run.metricVersionIds.map((v) => [v, []]));
  let after: string | undefined;
  for (;;) {
    const page = await deps.records.listByRun(scope, run.id, { limit: 100, after }, run.metricVersionIds.length);
    for (const record of page.items)
      for (const score of record.scores) byVersion.get(score.metricConfigId)?.push(score);
    if (!page.last) return byVersion;
    after = page.last;
  }
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
 * by the state machine when PrepareRun or the whole Map failed.
 */
export async function finalizeRun(deps: CoreDeps, input: { runId: string; orgId: string; error?: unknown }) {
  const scope: Scope = { orgId: input.orgId };
  const run = await deps.runs.get(scope, input.runId);
  if (!run) throw new NonRetryableError(`run ${input.runId} does not exist`);
  const versions = (await Promise.all(run.metricVersionIds.map((id) => deps.metrics.getVersion(scope, id)))).filter(
    (v): v is MetricVersion => v !== null,
  );
  const scores = await scoresByVersion(deps, scope, run);
  const aggregates = Object.fromEntries(versions.map((v) => [v.id, aggregateScores(v, scores.get(v.id) ?? [])]));
  const numScores = [...scores.values()].reduce((n, list) => n + list.length, 0);
  const status = finalStatus(run, input.error !== undefined && input.error !== null);
  const done = status !== 'awaiting_human_scoring';
  const updated = await deps.runs.update(
    scope,
    run.id,
    { status, aggregates, numScores, completedAt: done ? nowIso(deps) : null },
    // Finalizing never overwrites a cancel that raced with the last batch.
    { statusIn: RunStatus.options.filter((st) => st !== 'cancelled') },
  );
  return { runId: run.id, status: updated?.status ?? run.status };
}
