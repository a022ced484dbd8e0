import type { CoreDeps } from '../deps.js';
import { VerdictError } from '../errors.js';
import type { Scope } from '../ports.js';
import { idTimePrefix } from '../records/id-time.js';
import { RunCache } from '../records/run-cache.js';
import { type RecordSearchDeps, type ResolvedFilter, resolveFilter, searchRecords } from '../records/search.js';
import { DEFAULT_EXPORT_LINK_SECONDS, type Export, type ExportRecord } from '../schemas/export.js';
import type { RecordWithScores } from '../schemas/record.js';
import type { RecordFilter } from '../schemas/record-search.js';
import type { Run } from '../schemas/run.js';
import { metricColumns, preferredFields } from './column-layout.js';
import { type ColumnPlan, csvLines, FieldCollector, headerOf, rowOf, UTF8_BOM } from './csv.js';
import type { ExportFileStore, ExportRepository } from './ports.js';
import { readAhead } from './read-ahead.js';

export type ExportDeps = RecordSearchDeps &
  Pick<CoreDeps, 'records' | 'testsets' | 'systems' | 'now'> & {
    exportFiles: ExportFileStore;
    exports: ExportRepository;
  };

/** Records per page while exporting: big enough to amortise round trips, small enough to keep memory flat. */
const EXPORT_PAGE = 200;
/** Items one read of the column pass may cover. */
const COLUMN_PASS_READ = 5_000;
/** Records posted from another machine may carry ids a little older than their run's createdAt (clock skew). */
const CLOCK_SKEW_MS = 60_000;

/** What an export writes: its columns, fixed before the first row, and its rows, page by page. */
export interface ExportContent {
  plan: ColumnPlan;
  rows: AsyncIterable<unknown[][]>;
}

/**
 * Every record and score of a run as CSV. Columns must be known before the first row is streamed, so a first
 * pass reads only the records' field names (one item per record from the project list, over the run's time
 * span); the second streams the run's list, where each record's scores sort right after it.
 */
export async function runExportContent(deps: ExportDeps, scope: Scope, run: Run): Promise<ExportContent> {
  const fields = new FieldCollector();
  let after: string | undefined;
  do {
    const scan = await deps.recordSearch.scan(scope, {
      projectId: run.projectId,
      onlyRunId: run.id,
      idMin: idTimePrefix(Date.parse(run.createdAt) - CLOCK_SKEW_MS),
      after,
      ascending: true,
      maxItems: COLUMN_PASS_READ,
      fieldsOnly: true,
    });
    for (const record of scan.records) fields.add(record);
    after = scan.last ?? undefined;
  } while (after);
  const plan: ColumnPlan = {
    ...fields.fields(await preferredFields(deps, scope, [run])),
    metrics: await metricColumns(deps, scope, [run]),
  };
  const versionOf = (metricId: string) => RunCache.versionOf(run, metricId);
  return { plan, rows: mapPages(runPages(deps, scope, run), (record) => rowOf(plan, record, versionOf)) };
}

async function* runPages(deps: ExportDeps, scope: Scope, run: Run) {
  let after: string | undefined;
  do {
    const page = await deps.records.listByRun(
      scope,
      run.id,
      { limit: EXPORT_PAGE, after },
      run.metricVersionIds.length,
    );
    yield page.items;
    after = page.last ?? undefined;
  } while (after);
}

/**
 * The project's records that match `filter`, newest first, as CSV. Records created after `startedAt` (when the
 * export was asked for) are left out of both passes, so the column pass and the row pass see the same records.
 */
export async function recordsExportContent(
  deps: ExportDeps,
  scope: Scope,
  projectId: string,
  filter: RecordFilter,
  startedAt: Date,
): Promise<ExportContent> {
  const resolved = await resolveFilter(deps, scope, projectId, filter);
  const startedBefore = `${idTimePrefix(startedAt.getTime())}~`;
  const snapshot: ResolvedFilter = {
    ...resolved,
    idMax: resolved.idMax && resolved.idMax < startedBefore ? resolved.idMax : startedBefore,
  };
  const runs = new RunCache(deps.runs, scope);
  const fields = new FieldCollector();
  const runIds = new Set<string>();
  for await (const page of searchPages(deps, scope, snapshot, runs, false)) {
    for (const record of page) {
      fields.add(record);
      runIds.add(record.runId);
    }
  }
  const seenRuns = (await Promise.all([...runIds].map((id) => runs.get(id)))).filter((r): r is Run => r !== null);
  const plan: ColumnPlan = {
    ...fields.fields(await preferredFields(deps, scope, seenRuns)),
    metrics: await metricColumns(deps, scope, seenRuns),
  };
  const rows = mapPages(searchPages(deps, scope, snapshot, runs, true), (record) =>
    rowOf(plan, record, (metricId) => RunCache.versionOf(runs.peek(record.runId) ?? null, metricId)),
  );
  return { plan, rows };
}

async function* searchPages(
  deps: ExportDeps,
  scope: Scope,
  resolved: ResolvedFilter,
  runs: RunCache,
  withScores: boolean,
) {
  let after: string | undefined;
  do {
    const page = await searchRecords(
      deps,
      scope,
      resolved,
      { limit: EXPORT_PAGE, after },
      { readBudget: COLUMN_PASS_READ, withScores, fieldsOnly: !withScores },
      runs,
    );
    yield page.items;
    after = page.last ?? undefined;
  } while (after);
}

async function* mapPages<R>(pages: AsyncIterable<RecordWithScores[]>, toRow: (record: RecordWithScores) => R) {
  for await (const page of readAhead(pages)) yield page.map(toRow);
}

/**
 * Streams the header and the rows into `objectKey`; `onRows` hears the running count after each page (the
 * export worker notes progress from it). Resolves with the rows and bytes written.
 */
export async function writeCsv(
  deps: Pick<ExportDeps, 'exportFiles'>,
  file: { objectKey: string; fileName: string },
  content: ExportContent,
  onRows: (rows: number) => void = () => {},
): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  async function* csv() {
    yield UTF8_BOM + csvLines([headerOf(content.plan)]);
    for await (const page of content.rows) {
      rows += page.length;
      if (page.length) yield csvLines(page);
      onRows(rows);
    }
  }
  const bytes = await deps.exportFiles.write(file.objectKey, csv(), {
    contentType: 'text/csv; charset=utf-8',
    fileName: file.fileName,
  });
  return { rows, bytes };
}

/** The export as a client sees it: a fresh link once it is completed (404 `export_expired` once its file is gone). */
export async function presentExport(
  deps: Pick<ExportDeps, 'exportFiles' | 'now'>,
  record: ExportRecord,
  expiresIn?: number,
): Promise<Export> {
  const status = record.status ?? 'completed';
  const shown: Export = {
    id: record.id,
    projectId: record.projectId,
    runId: record.runId,
    status,
    rows: record.rows,
    bytes: record.bytes,
    createdAt: record.createdAt,
    ...(record.completedAt ? { completedAt: record.completedAt } : {}),
    ...(record.error ? { error: record.error } : {}),
  };
  if (status !== 'completed') return shown;
  if (!(await deps.exportFiles.exists(record.objectKey))) {
    throw new VerdictError(404, 'export_expired', `export ${record.id} has expired; create a new export`);
  }
  const now = deps.now ? deps.now() : new Date();
  const link = await deps.exportFiles.presign(
    record.objectKey,
    expiresIn ?? record.expiresIn ?? DEFAULT_EXPORT_LINK_SECONDS,
    now,
  );
  return { ...shown, url: link.url, expiresAt: link.expiresAt.toISOString() };
}
