import type { CoreDeps } from '../deps.js';
import { badRequest, notFound, VerdictError } from '../errors.js';
import { itemsWithinBytes, type PageRequest } from '../pagination.js';
import type { Paged, Scope } from '../ports.js';
import type { RecordWithScores, RunRecord, Score } from '../schemas/record.js';
import type { RecordFilter } from '../schemas/record-search.js';
import type { Run } from '../schemas/run.js';
import { idRange } from './id-time.js';
import type { RecordScanRequest, RecordSearchRepository } from './ports.js';
import { RunCache } from './run-cache.js';

/** Items one request may read for a filter DynamoDB cannot key on; the page then ends early with a cursor. */
export const RECORD_SEARCH_READ_BUDGET = 1_000;

export type RecordSearchDeps = Pick<CoreDeps, 'projects' | 'runs' | 'metrics'> & {
  recordSearch: RecordSearchRepository;
};

/** A filter checked against the project once: its run and metric exist there, its time range is a key range. */
export interface ResolvedFilter {
  filter: RecordFilter;
  projectId: string;
  run: Run | null;
  idMin?: string;
  idMax?: string;
  /** Nothing can match (an empty time range, or a run without the metric). */
  empty: boolean;
}

export async function resolveFilter(
  deps: RecordSearchDeps,
  scope: Scope,
  projectId: string,
  filter: RecordFilter,
): Promise<ResolvedFilter> {
  if (!(await deps.projects.get(scope, projectId))) throw notFound('project', projectId);
  if (filter.passed !== undefined && !filter.metricId) {
    throw badRequest('passed needs a metricId', [{ path: 'passed', message: 'filter by metricId as well' }]);
  }
  const run = filter.runId ? await deps.runs.get(scope, filter.runId) : null;
  if (filter.runId && run?.projectId !== projectId) {
    throw new VerdictError(404, 'not_found', `run ${filter.runId} was not found in this project`, [
      { path: 'runId', message: 'not found in this project' },
    ]);
  }
  if (filter.metricId) {
    const metric = await deps.metrics.get(scope, filter.metricId);
    if (metric?.projectId !== projectId) {
      throw new VerdictError(404, 'not_found', `metric ${filter.metricId} was not found in this project`, [
        { path: 'metricId', message: 'not found in this project' },
      ]);
    }
  }
  const { min, max } = idRange(filter.createdFrom, filter.createdTo);
  const emptyRange = min !== undefined && max !== undefined && min > max;
  const runLacksMetric = run !== null && filter.metricId !== undefined && !run.metricIds.includes(filter.metricId);
  return { filter, projectId, run, idMin: min, idMax: max, empty: emptyRange || runLacksMetric };
}

export interface SearchOptions {
  readBudget?: number;
  /** Attach each record's scores (the run's current metric versions). */
  withScores?: boolean;
  /** Read only ids and field maps (export column planning). */
  fieldsOnly?: boolean;
  ascending?: boolean;
}

/**
 * One page of the project's records, newest first. Run, status, testcase and time are applied by the store
 * as it reads; source, metric/passed and text are checked here. Either way at most `readBudget` items are read:
 * a page can end with fewer than `limit` records and a cursor that resumes exactly where reading stopped.
 */
export async function searchRecords(
  deps: RecordSearchDeps,
  scope: Scope,
  resolved: ResolvedFilter,
  page: PageRequest,
  options: SearchOptions = {},
  runs = new RunCache(deps.runs, scope),
): Promise<Paged<RecordWithScores>> {
  if (resolved.empty) return { items: [], last: null };
  const { filter } = resolved;
  const want = page.limit + 1;
  const itemsPerRecord = resolved.run ? 1 + resolved.run.metricVersionIds.length : 1;
  const checkedHere = Boolean(filter.q || filter.metricId || filter.source);
  const filtered = checkedHere || Boolean(filter.status || filter.testcaseId || filter.traceId);
  let budget = options.readBudget ?? RECORD_SEARCH_READ_BUDGET;
  let chunk = want * itemsPerRecord;
  let after = page.after;
  const matches: RunRecord[] = [];
  for (;;) {
    const scan = await deps.recordSearch.scan(scope, scanRequest(resolved, after, Math.min(budget, chunk), options));
    budget -= Math.max(1, scan.scanned);
    const kept = checkedHere ? await keep(deps, scope, resolved, scan.records, runs) : scan.records;
    for (const record of kept) {
      matches.push(record);
      if (matches.length === want) break;
    }
    // A page stops early, resuming after its last record, when its records would not fit in a Lambda response.
    const finish = async (records: RunRecord[], last: string | null): Promise<Paged<RecordWithScores>> => {
      const items = await withScores(deps, scope, records, runs, options);
      const fitting = itemsWithinBytes(items, page.maxBytes);
      return fitting < items.length
        ? { items: items.slice(0, fitting), last: items[fitting - 1]!.id }
        : { items, last };
    };
    if (matches.length === want) {
      const items = matches.slice(0, page.limit);
      return finish(items, items.at(-1)!.id);
    }
    if (scan.last === null) return finish(matches, null);
    after = scan.last;
    if (budget <= 0) return finish(matches, after);
    // Sparse matches: read further ahead each time, within the budget.
    if (filtered) chunk *= 2;
  }
}

function scanRequest(
  resolved: ResolvedFilter,
  after: string | undefined,
  maxItems: number,
  options: SearchOptions,
): RecordScanRequest {
  const { filter } = resolved;
  return {
    projectId: resolved.projectId,
    runId: filter.runId,
    status: filter.status,
    testcaseId: filter.testcaseId,
    traceId: filter.traceId,
    idMin: resolved.idMin,
    idMax: resolved.idMax,
    after,
    maxItems,
    ascending: options.ascending,
    fieldsOnly: options.fieldsOnly,
  };
}

/** The checks the store cannot make, cheapest first (text, then the run, then scores); order is preserved. */
async function keep(
  deps: RecordSearchDeps,
  scope: Scope,
  { filter }: ResolvedFilter,
  records: RunRecord[],
  runs: RunCache,
): Promise<RunRecord[]> {
  let kept = records;
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    kept = kept.filter((r) => [r.inputs, r.expected, r.outputs].some((v) => jsonText(v).includes(needle)));
  }
  if (filter.source || filter.metricId) await runs.load(kept.map((r) => r.runId));
  if (filter.source) {
    const sources = await Promise.all(kept.map(async (r) => (await runs.get(r.runId))?.source));
    kept = kept.filter((_, i) => sources[i] === filter.source);
  }
  if (filter.metricId) {
    const metricId = filter.metricId;
    const versions = await Promise.all(kept.map(async (r) => RunCache.versionOf(await runs.get(r.runId), metricId)));
    const pairs = kept.flatMap((r, i) => (versions[i] ? [{ recordId: r.id, metricVersionId: versions[i] }] : []));
    const scores = new Map((await deps.recordSearch.scores(scope, pairs)).map((s) => [s.recordId, s]));
    kept = kept.filter((r, i) => {
      const score = scores.get(r.id);
      if (!score || score.metricConfigId !== versions[i]) return false;
      return filter.passed === undefined || score.passed === filter.passed;
    });
  }
  return kept;
}

const jsonText = (value: unknown) => (JSON.stringify(value ?? {}) ?? '').toLowerCase();

/** Each record's scores for its run's current metric versions, in the run's metric order. */
export async function withScores(
  deps: Pick<RecordSearchDeps, 'recordSearch'>,
  scope: Scope,
  records: RunRecord[],
  runs: RunCache,
  options: Pick<SearchOptions, 'withScores'> = {},
): Promise<RecordWithScores[]> {
  if (options.withScores === false || records.length === 0) return records.map((r) => ({ ...r, scores: [] }));
  await runs.load(records.map((r) => r.runId));
  const versionsOf = new Map<string, string[]>();
  for (const r of records) versionsOf.set(r.id, (await runs.get(r.runId))?.metricVersionIds ?? []);
  const pairs = records.flatMap((r) => versionsOf.get(r.id)!.map((v) => ({ recordId: r.id, metricVersionId: v })));
  const byKey = new Map<string, Score>();
  for (const s of await deps.recordSearch.scores(scope, pairs)) byKey.set(`${s.recordId}/${s.metricConfigId}`, s);
  return records.map((r) => ({
    ...r,
    scores: versionsOf.get(r.id)!.flatMap((v) => byKey.get(`${r.id}/${v}`) ?? []),
  }));
}
