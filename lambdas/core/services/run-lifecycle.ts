import { VerdictError } from '../errors.js';
import { deriveRunStatus } from '../pipeline/status.js';
import type { Scope } from '../ports.js';
import type { Run } from '../schemas/run.js';
import { FINAL_RUN_STATUSES } from '../schemas/run.js';
import { hostedConfig } from '../schemas/system.js';
import { type CoreDeps, nowIso, requireRun } from './deps.js';
import { createRun, resolveMetrics } from './runs.js';

/** A run is executed by the pipeline when it has a testset and a system version Verdict runs (not external). */
export async function isExecutedRun(deps: CoreDeps, scope: Scope, run: Run): Promise<boolean> {
  if (!run.testsetId || !run.systemVersionId) return false;
  const version = await deps.systems.getVersion(scope, run.systemVersionId);
  return Boolean(version && hostedConfig(version.config));
}

/** Stops new work: workers check the status before each record, and finalizing keeps `cancelled`. */
export async function cancelRun(deps: CoreDeps, scope: Scope, runId: string): Promise<Run> {
  const run = await requireRun(deps, scope, runId);
  if (FINAL_RUN_STATUSES.includes(run.status)) {
    throw new VerdictError(409, 'run_finished', `run ${runId} is already ${run.status}`);
  }
  const updated = await deps.runs.update(scope, runId, { status: 'cancelled', completedAt: nowIso(deps) });
  return updated ?? (await requireRun(deps, scope, runId));
}

/**
 * Re-scores a finished run with the latest versions of the given metrics, without executing the system again.
 * Human metrics keep their scores; a new scoring pass (generation) lets the new scores replace the old ones.
 */
export async function prepareRescore(deps: CoreDeps, scope: Scope, runId: string, metricIds: string[]): Promise<Run> {
  const run = await requireRun(deps, scope, runId);
  if (!FINAL_RUN_STATUSES.includes(run.status) && run.status !== 'awaiting_human_scoring') {
    throw new VerdictError(
      409,
      'run_in_progress',
      `run ${runId} is still ${run.status}; rescore it when it has finished`,
      [],
      true,
    );
  }
  if (run.status === 'cancelled') throw new VerdictError(409, 'run_cancelled', `run ${runId} was cancelled`);
  const metrics = await resolveMetrics(deps, scope, run.projectId, [...new Set(metricIds)]);
  const human = run.metricIds.flatMap((id, i) =>
    run.humanMetricVersionIds.includes(run.metricVersionIds[i]!) && !metrics.some((m) => m.id === id)
      ? [{ id, versionId: run.metricVersionIds[i]! }]
      : [],
  );
  const chosen = [
    ...metrics.map((m) => ({ id: m.id, versionId: m.versionId, human: m.evalType === 'human' })),
    ...human.map((h) => ({ ...h, human: true })),
  ];
  const autoVersions = chosen.filter((m) => !m.human).map((m) => m.versionId);
  // Old scores of the metrics being rescored are replaced; others that leave the run are dropped from it.
  await deps.runs.resetProgress(scope, runId, autoVersions);
  const updated = await deps.runs.update(scope, runId, {
    metricIds: chosen.map((m) => m.id),
    metricVersionIds: chosen.map((m) => m.versionId),
    humanMetricVersionIds: chosen.filter((m) => m.human).map((m) => m.versionId),
    generation: run.generation + 1,
    status: 'running_scoring',
    completedAt: null,
    aggregates: null,
  });
  if (!updated) throw new VerdictError(409, 'conflict', 'the run changed during rescore; retry', [], true);
  return { ...updated, status: deriveRunStatus(updated) };
}

const RERUN_SUFFIX = / \(rerun(?: (\d+))?\)$/;

/**
 * The name of a run made again: "Nightly" → "Nightly (rerun)" → "Nightly (rerun 2)", so the runs list tells the
 * copy from its source; an unnamed run's copy names its source.
 */
export function rerunName(name: string | null, sourceRunId: string): string {
  if (!name) return `Rerun of ${sourceRunId}`;
  const match = RERUN_SUFFIX.exec(name);
  if (!match) return `${name} (rerun)`;
  return `${name.slice(0, match.index)} (rerun ${Number(match[1] ?? 1) + 1})`;
}

/** A new run over the same testset, system version and metrics (their latest versions). */
export async function rerun(deps: CoreDeps, scope: Scope, runId: string): Promise<Run> {
  const run = await requireRun(deps, scope, runId);
  return createRun(
    deps,
    scope,
    run.projectId,
    {
      metricIds: run.metricIds,
      testsetId: run.testsetId,
      systemVersionId: run.systemVersionId,
      name: rerunName(run.name, run.id).slice(0, 200),
      notes: run.notes ? `Rerun of ${run.id}. ${run.notes}` : `Rerun of ${run.id}`,
      source: run.source,
      maxConcurrency: run.maxConcurrency,
      trials: run.trials,
    },
    { rerunOf: run.id },
  );
}
