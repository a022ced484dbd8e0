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
import type { ExportFileStore, ExportRepository, ExportSpool, SpoolFile } from './ports.js';
import { readAhead } from './read-ahead.js';

export type ExportDeps = RecordSearchDeps &
  Pick<CoreDeps, 'records' | 'testsets' | 'systems' | 'now'> & {
    exportFiles: ExportFileStore;
    exports: ExportRepository;
  };

/** What the export worker needs besides: scratch space for the records it has read. */
export type ExportWorkerDeps = ExportDeps & { exportSpool: ExportSpool };

/** Records per page while exporting: big enough to amortise round trips, small enough to keep memory flat. */
const EXPORT_PAGE = 250;
/** Items one read of a records export's search may cover. */
const SEARCH_READ = 5_000;
/** Spooled records turned into CSV at a time. */
const CSV_BATCH = 500;

/** What an export writes: its columns, fixed before the first row, and its rows, page by page. */
export interface ExportContent {
  plan: ColumnPlan;
  rows: AsyncIterable<unknown[][]>;
  /** Rows already written as CSV text (then `rows` is empty). */
  csv?: { rows: number; text: AsyncIterable<string> };
  /** Frees the scratch space; called whether or not the rows were written. */
  discard(): Promise<void>;
}

/** Reports the records read so far. */
type OnRows = (rows: number) => void;

/**
 * Every record and score of a run as CSV. A CSV header must precede the rows, and the columns depend on every
 * record's fields, so the run's list (each record's scores sort right after it) is read once, each record
 * spooled as it comes while its field names are noted; the CSV is then written from the spool. One pass over
 * DynamoDB instead of a column pass and a row pass: the column pass read one item per record, a quarter of the
 * items and nearly a third of the time.
 */
export async function runExportContent(
  deps: ExportWorkerDeps,
  scope: Scope,
  run: Run,
  onRows: OnRows = () => {},
): Promise<ExportContent> {
  const preferred = await preferredFields(deps, scope, [run]);
  const metrics = await metricColumns(deps, scope, [run]);
  const versionOf = (metricId: string) => RunCache.versionOf(run, metricId);
  const guess = await speculativeCsv(deps, (fields) => ({ ...fields.fields(preferred), metrics }), versionOf);
  let spooled: Awaited<ReturnType<typeof spoolRecords>>;
  try {
    spooled = await spoolRecords(deps, runPages(deps, scope, run), onRows, guess.onPage);
  } catch (error) {
    await guess.discard();
    throw error;
  }
  try {
    const plan: ColumnPlan = { ...spooled.fields.fields(preferred), metrics };
    const written = await guess.result(plan);
    if (written) {
      await spooled.file.discard();
      return { plan, rows: (async function* () {})(), csv: written, discard: guess.discard };
    }
    return {
      plan,
      rows: spooledRows(spooled.file, (record) => rowOf(plan, record, versionOf)),
      discard: spooled.file.discard,
    };
  } catch (error) {
    await spooled.file.discard();
    await guess.discard();
    throw error;
  }
}

/**
 * Writes the CSV while the records are read, with the columns the first page shows (nearly always every
 * column: a run's records share their fields). If a later page brings a field the guess lacks, the guess is
 * dropped and the CSV is written from the spool after all; if it held, the finished CSV is ready the moment the
 * read ends, and the CSV work was done while DynamoDB was answering.
 */
async function speculativeCsv(
  deps: Pick<ExportWorkerDeps, 'exportSpool'>,
  planOf: (fields: FieldCollector) => ColumnPlan,
  versionOf: (metricId: string) => string | undefined,
) {
  const file = await deps.exportSpool.open();
  let guess: { plan: ColumnPlan; key: string } | null = null;
  let holds = true;
  let rows = 0;
  let discarded = false;
  const discard = async () => {
    if (discarded) return;
    discarded = true;
    await file.discard();
  };
  return {
    async onPage(page: RecordWithScores[], fields: FieldCollector) {
      if (!holds) return;
      const plan = planOf(fields);
      const key = JSON.stringify(plan);
      guess ??= { plan, key };
      if (key !== guess.key) {
        holds = false;
        await discard();
        return;
      }
      const { plan: fixed } = guess;
      rows += page.length;
      if (page.length) await file.write(csvLines(page.map((record) => rowOf(fixed, record, versionOf))));
    },
    /** The CSV rows already written, if the final columns are the guessed ones; null otherwise. */
    async result(plan: ColumnPlan): Promise<{ rows: number; text: AsyncIterable<string> } | null> {
      if (holds && guess && guess.key === JSON.stringify(plan)) return { rows, text: file.text() };
      await discard();
      return null;
    },
    discard,
  };
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
 * export was asked for) are left out, so the export is a snapshot of what the records page showed then.
 */
export async function recordsExportContent(
  deps: ExportWorkerDeps,
  scope: Scope,
  projectId: string,
  filter: RecordFilter,
  startedAt: Date,
  onRows: OnRows = () => {},
): Promise<ExportContent> {
  const resolved = await resolveFilter(deps, scope, projectId, filter);
  const startedBefore = `${idTimePrefix(startedAt.getTime())}~`;
  const snapshot: ResolvedFilter = {
    ...resolved,
    idMax: resolved.idMax && resolved.idMax < startedBefore ? resolved.idMax : startedBefore,
  };
  const runs = new RunCache(deps.runs, scope);
  const spooled = await spoolRecords(deps, searchPages(deps, scope, snapshot, runs), onRows);
  try {
    const runIds = new Set(spooled.runIds);
    const seenRuns = (await Promise.all([...runIds].map((id) => runs.get(id)))).filter((r): r is Run => r !== null);
    const plan: ColumnPlan = {
      ...spooled.fields.fields(await preferredFields(deps, scope, seenRuns)),
      metrics: await metricColumns(deps, scope, seenRuns),
    };
    const rows = spooledRows(spooled.file, (record) =>
      rowOf(plan, record, (metricId) => RunCache.versionOf(runs.peek(record.runId) ?? null, metricId)),
    );
    return { plan, rows, discard: spooled.file.discard };
  } catch (error) {
    await spooled.file.discard();
    throw error;
  }
}

async function* searchPages(deps: ExportDeps, scope: Scope, resolved: ResolvedFilter, runs: RunCache) {
  let after: string | undefined;
  do {
    const page = await searchRecords(
      deps,
      scope,
      resolved,
      { limit: EXPORT_PAGE, after },
      { readBudget: SEARCH_READ, withScores: true },
      runs,
    );
    yield page.items;
    after = page.last ?? undefined;
  } while (after);
}

/** Reads every page once (the next one while this one is spooled), noting field names and runs as it goes. */
async function spoolRecords(
  deps: Pick<ExportWorkerDeps, 'exportSpool'>,
  pages: AsyncIterable<RecordWithScores[]>,
  onRows: OnRows,
  onPage: (page: RecordWithScores[], fields: FieldCollector) => Promise<void> = async () => {},
) {
  const file = await deps.exportSpool.open();
  const fields = new FieldCollector();
  const runIds = new Set<string>();
  let rows = 0;
  try {
    for await (const page of readAhead(pages)) {
      for (const record of page) {
        fields.add(record);
        runIds.add(record.runId);
      }
      await Promise.all([file.append(page.map((record) => JSON.stringify(record))), onPage(page, fields)]);
      rows += page.length;
      onRows(rows);
    }
  } catch (error) {
    await file.discard();
    throw error;
  }
  return { file: { read: file.read.bind(file), discard: file.discard.bind(file) }, fields, runIds };
}

async function* spooledRows(file: Pick<SpoolFile, 'read'>, toRow: (record: RecordWithScores) => unknown[]) {
  for await (const lines of file.read(CSV_BATCH)) {
    yield lines.map((line) => toRow(JSON.parse(line) as RecordWithScores));
  }
}

/** Streams the header and the rows into `objectKey`, then frees the spool. Resolves with the rows and bytes written. */
export async function writeCsv(
  deps: Pick<ExportDeps, 'exportFiles'>,
  file: { objectKey: string; fileName: string },
  content: ExportContent,
): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  async function* csv() {
    yield UTF8_BOM + csvLines([headerOf(content.plan)]);
    if (content.csv) {
      rows = content.csv.rows;
      yield* content.csv.text;
      return;
    }
    for await (const page of content.rows) {
      rows += page.length;
      if (page.length) yield csvLines(page);
    }
  }
  try {
    const bytes = await deps.exportFiles.write(file.objectKey, csv(), {
      contentType: 'text/csv; charset=utf-8',
      fileName: file.fileName,
    });
    return { rows, bytes };
  } finally {
    await content.discard();
  }
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
