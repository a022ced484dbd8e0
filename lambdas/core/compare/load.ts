import { type CoreDeps, requireRun } from '../deps.js';
import { badRequest } from '../errors.js';
import type { MetricVersion, Scope } from '../ports.js';
import type { RunComparison } from '../schemas/compare.js';
import type { Run } from '../schemas/run.js';
import {
  type ComparableRecord,
  type ComparableRun,
  type CompareOptions,
  compareRuns,
  type MetricInfo,
} from './compare-runs.js';

/** Reads a run's records page by page, keeping only what pairing and scoring need (not inputs or outputs). */
async function comparableRun(deps: CoreDeps, scope: Scope, run: Run): Promise<ComparableRun> {
  const current = new Set(run.metricVersionIds);
  const records: ComparableRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await deps.records.listByRun(scope, run.id, { limit: 100, after }, run.metricVersionIds.length);
    for (const r of page.items) {
      records.push({
        id: r.id,
        testcaseId: r.testcaseId ?? null,
        trial: r.trial,
        scores: r.scores
          .filter((s) => current.has(s.metricConfigId))
          .map((s) => ({ metricConfigId: s.metricConfigId, score: s.score, status: s.status })),
      });
    }
    if (!page.last) break;
    after = page.last;
  }
  return { id: run.id, metricIds: run.metricIds, metricVersionIds: run.metricVersionIds, records };
}

/** Name and output type per metric id, from the candidate's metric versions (the baseline's fill any gap). */
async function metricInfo(deps: CoreDeps, scope: Scope, runs: Run[]): Promise<Record<string, MetricInfo>> {
  const versionIds = [...new Set(runs.flatMap((r) => r.metricVersionIds))];
  const versions = (await Promise.all(versionIds.map((id) => deps.metrics.getVersion(scope, id)))).filter(
    (v): v is MetricVersion => v !== null,
  );
  const info: Record<string, MetricInfo> = {};
  for (const run of runs) {
    for (const versionId of run.metricVersionIds) {
      const version = versions.find((v) => v.id === versionId);
      if (version && !info[version.metricId]) {
        info[version.metricId] = { name: version.definition.name, outputType: version.definition.outputType };
      }
    }
  }
  return info;
}

/** GET /runs/{runId}/compare?baseline=: both runs must be in the same project. */
export async function compareRunsById(
  deps: CoreDeps,
  scope: Scope,
  runId: string,
  baselineRunId: string,
  options: CompareOptions = {},
): Promise<RunComparison> {
  const [candidate, baseline] = await Promise.all([
    requireRun(deps, scope, runId),
    requireRun(deps, scope, baselineRunId),
  ]);
  if (candidate.projectId !== baseline.projectId) {
    throw badRequest('the baseline run belongs to another project', [
      { path: 'query.baseline', message: 'must be a run of the same project' },
    ]);
  }
  const [base, cand, metrics] = await Promise.all([
    comparableRun(deps, scope, baseline),
    comparableRun(deps, scope, candidate),
    metricInfo(deps, scope, [candidate, baseline]),
  ]);
  return compareRuns(base, cand, metrics, options);
}
