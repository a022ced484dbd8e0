import { type CoreDeps, nowIso, requireProject, requireRun } from '../deps.js';
import { badRequest, VerdictError } from '../errors.js';
import { idCreatedAt, newId } from '../ids.js';
import type { Scope } from '../ports.js';
import type { CreateRun, Run, ScoringGeneration } from '../schemas/run.js';
import { FINAL_RUN_STATUSES } from '../schemas/run.js';
import { hostedConfig, type SystemConfig } from '../schemas/system.js';
import { presentRun, runStatus } from './status.js';

/** Resolves metric ids to their current versions, naming the offending index when one is unknown. */
export async function resolveMetrics(deps: CoreDeps, scope: Scope, projectId: string, metricIds: string[]) {
  const metrics = await Promise.all(metricIds.map((id) => deps.metrics.get(scope, id)));
  const issues = metrics.flatMap((m, i) =>
    !m || m.projectId !== projectId
      ? [{ path: `metricIds.${i}`, message: `metric ${metricIds[i]} was not found in this project` }]
      : [],
  );
  if (issues.length) throw new VerdictError(404, 'not_found', 'unknown metric', issues);
  return metrics.filter((m) => m !== null);
}

export async function createRun(
  deps: CoreDeps,
  scope: Scope,
  projectId: string,
  input: CreateRun,
  lineage: {
    rerunOf?: string /** A kickoff whose system runs outside Verdict (a GitHub workflow fills it). */;
    runsOutside?: boolean;
  } = {},
): Promise<Run> {
  await requireProject(deps, scope, projectId);
  const unique = [...new Set(input.metricIds)];
  const metrics = await resolveMetrics(deps, scope, projectId, unique);
  const testset = input.testsetId ? await deps.testsets.get(scope, input.testsetId) : null;
  if (input.testsetId && (!testset || testset.projectId !== projectId)) {
    throw new VerdictError(404, 'not_found', `testset ${input.testsetId} was not found`, [
      { path: 'testsetId', message: 'not found in this project' },
    ]);
  }
  const version = input.systemVersionId ? await deps.systems.getVersion(scope, input.systemVersionId) : null;
  if (input.systemVersionId && (!version || version.projectId !== projectId)) {
    throw new VerdictError(404, 'not_found', `system version ${input.systemVersionId} was not found`, [
      { path: 'systemVersionId', message: 'not found in this project' },
    ]);
  }
  if (input.source === 'kickoff' && version && !hostedConfig(version.config) && !lineage.runsOutside) {
    throw outsideVerdict(version.config);
  }
  // createdAt is read from the id, so time-range queries over id keys and createdAt filters agree to the ms.
  const id = newId();
  const run: Run = {
    id,
    projectId,
    name: input.name ?? null,
    testsetId: testset?.id ?? null,
    systemId: version?.systemId ?? null,
    systemVersionId: version?.id ?? null,
    systemVersion: version ? { id: version.id, name: version.name } : null,
    metricIds: metrics.map((m) => m.id),
    metricVersionIds: metrics.map((m) => m.versionId),
    humanMetricVersionIds: metrics.filter((m) => m.evalType === 'human').map((m) => m.versionId),
    generation: 0,
    numRecords: 0,
    numExpectedRecords: testset ? testset.numTestcases * input.trials : null,
    numScores: 0,
    numExecuted: 0,
    numErroredRecords: 0,
    status: 'pending',
    source: input.source,
    notes: input.notes ?? '',
    maxConcurrency: input.maxConcurrency,
    trials: input.trials,
    createdAt: idCreatedAt(id),
    startedAt: null,
    completedAt: null,
    statusExplanation: {},
    aggregates: null,
    ...(lineage.rerunOf && { rerunOf: lineage.rerunOf }),
  };
  return deps.runs.create(scope, run);
}

/** A kickoff asks Verdict to run the system itself, which it cannot do for one that runs outside it. */
function outsideVerdict(config: SystemConfig) {
  const known = typeof config.type === 'string' ? ` (config.type "${config.type}" is not openai_chat or http)` : '';
  return badRequest(`this system runs outside Verdict, so Verdict cannot kick off a run of it${known}`, [
    {
      path: 'systemVersionId',
      message:
        'runs outside Verdict: create the run without source "kickoff" and post its records (POST /runs/{runId}/records)',
    },
  ]);
}

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

/** How many earlier scoring passes a run keeps readable (each is a small summary: counts and aggregates). */
export const MAX_SCORING_HISTORY = 20;

/**
 * Re-scores a finished run without executing the system again. Only the named metrics are (re-)judged, with
 * their latest versions; the run's other metrics keep their scores, and a metric the run did not have joins
 * it. The pass being replaced stays readable in `scoringHistory`. Everything is checked before anything is
 * written: a metric of another project is a 404, an AI metric with no LLM configured a 409.
 */
export async function prepareRescore(
  deps: CoreDeps,
  scope: Scope,
  runId: string,
  metricIds: string[],
  llm: { configured: boolean },
): Promise<Run> {
  const run = await requireRun(deps, scope, runId);
  if (!FINAL_RUN_STATUSES.includes(run.status) && run.status !== 'awaiting_human_scoring') {
    throw new VerdictError(
      409,
      'run_in_progress',
      `run ${runId} is still ${runStatus(run)}; rescore it when it has finished`,
      [],
      true,
    );
  }
  if (run.status === 'cancelled') throw new VerdictError(409, 'run_cancelled', `run ${runId} was cancelled`);
  const named = [...new Set(metricIds)];
  const metrics = await resolveMetrics(deps, scope, run.projectId, named);
  const needsLlm = metrics.flatMap((m, i) =>
    m.evalType === 'ai' ? [{ path: `metricIds.${i}`, message: `metric ${m.id} is judged by an LLM` }] : [],
  );
  if (needsLlm.length > 0 && !llm.configured) {
    throw new VerdictError(
      409,
      'llm_not_configured',
      'no LLM is configured, so AI metrics cannot be re-judged: set OPENAI_API_KEY (locally) or the LLM secret, then rescore',
      needsLlm,
    );
  }
  const next = run.metricIds.map((id, i) => {
    const versionId = run.metricVersionIds[i]!;
    return { id, versionId, human: run.humanMetricVersionIds.includes(versionId) };
  });
  for (const m of metrics) {
    const entry = { id: m.id, versionId: m.versionId, human: m.evalType === 'human' };
    const at = next.findIndex((n) => n.id === m.id);
    if (at >= 0) next[at] = entry;
    else next.push(entry);
  }
  const rescored = metrics.filter((m) => m.evalType !== 'human').map((m) => m.versionId);
  const replaced = new Set([
    ...rescored,
    ...run.metricIds.flatMap((id, i) => (named.includes(id) ? [run.metricVersionIds[i]!] : [])),
  ]);
  const previous: ScoringGeneration = {
    generation: run.generation,
    metricIds: run.metricIds,
    metricVersionIds: run.metricVersionIds,
    rescoredMetricVersionIds: run.rescoredMetricVersionIds ?? null,
    status: run.status,
    completedAt: run.completedAt,
    statusExplanation: run.statusExplanation,
    aggregates: run.aggregates,
  };
  // The re-judged metrics start their counters over; the kept ones keep counters and aggregates meanwhile.
  await deps.runs.resetProgress(scope, runId, rescored);
  const updated = await deps.runs.update(scope, runId, {
    metricIds: next.map((m) => m.id),
    metricVersionIds: next.map((m) => m.versionId),
    humanMetricVersionIds: next.filter((m) => m.human).map((m) => m.versionId),
    rescoredMetricVersionIds: rescored,
    scoringHistory: [...(run.scoringHistory ?? []), previous].slice(-MAX_SCORING_HISTORY),
    generation: run.generation + 1,
    status: 'running_scoring',
    completedAt: null,
    aggregates: run.aggregates
      ? Object.fromEntries(Object.entries(run.aggregates).filter(([versionId]) => !replaced.has(versionId)))
      : null,
  });
  if (!updated) throw new VerdictError(409, 'conflict', 'the run changed during rescore; retry', [], true);
  return presentRun(updated);
}

/** Every scoring pass of a run, oldest first; the last is the current one. */
export async function scoringHistory(deps: CoreDeps, scope: Scope, runId: string): Promise<ScoringGeneration[]> {
  const run = await requireRun(deps, scope, runId);
  return [
    ...(run.scoringHistory ?? []),
    {
      generation: run.generation,
      metricIds: run.metricIds,
      metricVersionIds: run.metricVersionIds,
      rescoredMetricVersionIds: run.rescoredMetricVersionIds ?? null,
      status: runStatus(run),
      completedAt: run.completedAt,
      statusExplanation: run.statusExplanation,
      aggregates: run.aggregates,
    },
  ];
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

/** What a run made again from `run` is created with: the same testset, system version and metrics. */
export function rerunInput(run: Run): CreateRun {
  return {
    metricIds: run.metricIds,
    testsetId: run.testsetId,
    systemVersionId: run.systemVersionId,
    name: rerunName(run.name, run.id).slice(0, 200),
    notes: run.notes ? `Rerun of ${run.id}. ${run.notes}` : `Rerun of ${run.id}`,
    source: run.source,
    maxConcurrency: run.maxConcurrency,
    trials: run.trials,
  };
}

/** A new run over the same testset, system version and metrics (their latest versions). */
export function rerun(deps: CoreDeps, scope: Scope, run: Run): Promise<Run> {
  return createRun(deps, scope, run.projectId, rerunInput(run), { rerunOf: run.id });
}
