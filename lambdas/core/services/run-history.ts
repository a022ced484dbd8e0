import type { CoreDeps } from '../deps.js';
import { notFound, VerdictError } from '../errors.js';
import type { Paged, Scope } from '../ports.js';
import { idTime, idTimePrefix } from '../records/id-time.js';
import type { Metric } from '../schemas/metric.js';
import type { Run } from '../schemas/run.js';
import type { MetricHistory, RunHistoryPoint, RunHistoryQuery } from '../schemas/run-history.js';

export type RunHistoryDeps = Pick<CoreDeps, 'projects' | 'runs' | 'metrics' | 'systems'>;

/**
 * Per metric, one point per completed run: pass rate for boolean metrics, mean for int and float ones, taken
 * from the aggregates FinalizeRun stored on the run, so no record is ever read. Runs are walked newest first
 * (ids are time-ordered, so `to` is where the walk starts and `from` where it stops); a page holds `limit`
 * completed runs and its points are returned oldest first, ready to plot.
 */
export async function runHistory(
  deps: RunHistoryDeps,
  scope: Scope,
  projectId: string,
  query: Omit<RunHistoryQuery, 'cursor'>,
  after?: string,
): Promise<Paged<MetricHistory>> {
  if (!(await deps.projects.get(scope, projectId))) throw notFound('project', projectId);
  const named = query.metricIds ? await requireMetrics(deps, scope, projectId, query.metricIds) : null;
  const { runs, last } = await completedRuns(deps, scope, projectId, query, after);
  const metricIds = query.metricIds ?? [...new Set(runs.flatMap((r) => r.metricIds))];
  const metrics = named ?? (await Promise.all(metricIds.map((id) => deps.metrics.get(scope, id))));
  const versions = new Map<string, Promise<RunHistoryPoint['systemVersion']>>();
  const systemVersionOf = (id: string | null) => {
    if (!id) return Promise.resolve(null);
    if (!versions.has(id)) {
      versions.set(
        id,
        deps.systems.getVersion(scope, id).then((v) => (v ? { id: v.id, name: v.name } : null)),
      );
    }
    return versions.get(id)!;
  };
  const oldestFirst = [...runs].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const items = await Promise.all(
    metricIds.map(async (metricId, i): Promise<MetricHistory> => {
      const points: RunHistoryPoint[] = [];
      let outputType = metrics[i]?.outputType;
      for (const run of oldestFirst) {
        const index = run.metricIds.indexOf(metricId);
        const versionId = index < 0 ? undefined : run.metricVersionIds[index];
        const aggregate = versionId ? run.aggregates?.[versionId] : undefined;
        if (!versionId || !aggregate) continue;
        outputType ??= aggregate.outputType;
        points.push({
          runId: run.id,
          runName: run.name,
          createdAt: run.createdAt,
          metricVersionId: versionId,
          value: aggregate.outputType === 'boolean' ? aggregate.passRate : aggregate.mean,
          passed: aggregate.passed,
          failed: aggregate.failed,
          n: aggregate.n,
          systemVersion: await systemVersionOf(run.systemVersionId),
        });
      }
      return { metricId, name: metrics[i]?.name ?? metricId, outputType: outputType ?? 'boolean', points };
    }),
  );
  return { items, last };
}

async function requireMetrics(deps: RunHistoryDeps, scope: Scope, projectId: string, ids: string[]) {
  const metrics = await Promise.all(ids.map((id) => deps.metrics.get(scope, id)));
  const issues = metrics.flatMap((m, i) =>
    m?.projectId === projectId ? [] : [{ path: `metricIds.${i}`, message: `metric ${ids[i]} was not found` }],
  );
  if (issues.length) throw new VerdictError(404, 'not_found', 'unknown metric', issues);
  return metrics as Metric[];
}

/** Up to `limit` completed runs in [from, to), newest first, and the id to continue after when there are more. */
async function completedRuns(
  deps: RunHistoryDeps,
  scope: Scope,
  projectId: string,
  query: Pick<RunHistoryQuery, 'from' | 'to' | 'source' | 'limit'>,
  after: string | undefined,
): Promise<{ runs: Run[]; last: string | null }> {
  const from = query.from ? Date.parse(query.from) : -Infinity;
  const to = query.to ? Date.parse(query.to) : Infinity;
  // A run's id is minted just before its createdAt, so ids before prefix(to) cover every run created before `to`.
  let position = after ?? (query.to ? idTimePrefix(to) : undefined);
  const found: Run[] = [];
  for (;;) {
    const page = await deps.runs.list(scope, projectId, { limit: 100, after: position }, { source: query.source });
    for (const run of page.items) {
      if (idTime(run.id) < from) return { runs: found, last: null };
      const created = Date.parse(run.createdAt);
      if (created < from || created >= to || run.status !== 'completed' || !run.aggregates) continue;
      if (found.length === query.limit) return { runs: found, last: found.at(-1)!.id };
      found.push(run);
    }
    if (!page.last) return { runs: found, last: null };
    position = page.last;
  }
}
