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
import { EXPORT_PAGE, readFromBothEnds } from './both-ends.js';
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
 * record's fields, so the CSV is written *while* the run's list is read (from both ends at once, see
 * `readFromBothEnds`), with the columns the first page shows: a run's records nearly always share their fields,
 * and then the finished CSV is ready when the read ends, the CSV work done while DynamoDB was answering. If a later
 * page brings a field the first lacked, the rows written so far are dropped, the read goes on noting fields only,
 * and a second read writes the CSV with the columns now known (the rare case pays one more read; the common one
 * keeps no copy of the records).
 */
export async function runExportContent(
  deps: ExportWorkerDeps,
  scope: Scope,
  run: Run,
  onRows: OnRows = () => {},
): Promise<ExportContent> {
  const preferred = await preferredFields(deps, scope, [run]);
  const metrics = await metricColumns(deps, scope, [run]);
  const planOf = (fields: FieldCollector): ColumnPlan => ({ ...fields.fields(preferred), metrics });
  const versionOf = (metricId: string) => RunCache.versionOf(run, metricId);
  let shown = 0;
  // A second read starts again from no rows: progress only moves forward.
  const forward: OnRows = (rows) => {
    if (rows <= shown) return;
    shown = rows;
    onRows(rows);
  };
  const guessed = await runCsv(deps, scope, run, { planOf, versionOf }, null, forward);
  const written = guessed.csv ? guessed : await runCsv(deps, scope, run, { planOf, versionOf }, guessed.plan, forward);
  if (!written.csv) throw new Error('the export columns changed while they were fixed');
  return { plan: written.plan, rows: (async function* () {})(), csv: written.csv, discard: written.discard };
}

/**
 * One read of the run, writing CSV rows with `fixed` columns, or else with those of the first page for as long as
 * every record fits them. Pages from the list's start go to one spool file in order, pages from its end to
 * another, read back last page first, so the rows come out in list order. Resolves with the CSV, or (the guess
 * failed) with null and the columns every record needs.
 */
async function runCsv(
  deps: ExportWorkerDeps,
  scope: Scope,
  run: Run,
  columns: { planOf: (fields: FieldCollector) => ColumnPlan; versionOf: (metricId: string) => string | undefined },
  fixed: ColumnPlan | null,
  onRows: OnRows,
) {
  const files = { start: await deps.exportSpool.open(), end: await deps.exportSpool.open() };
  const discard = async () => {
    await Promise.all([files.start.discard(), files.end.discard()]);
  };
  const fromStart = new FieldCollector();
  // One collector per page from the end: put back in list order, they give the order fields first appear in.
  const fromEnd: FieldCollector[] = [];
  let plan = fixed;
  let known: Array<Set<string>> | null = null;
  let holds = true;
  let rows = 0;
  try {
    await readFromBothEnds(deps, scope, run, async (end, records) => {
      const fields = end === 'start' ? fromStart : new FieldCollector();
      if (end === 'end') fromEnd.push(fields);
      for (const record of records) fields.add(record);
      if (holds) {
        plan ??= columns.planOf(fromStart);
        known ??= [new Set(plan.inputs), new Set(plan.expected), new Set(plan.outputs)];
        if (!fixed && !records.every((record) => fitsColumns(record, known!))) {
          holds = false;
          await discard();
        } else {
          await files[end].write(csvLines(records.map((record) => rowOf(plan!, record, columns.versionOf))));
        }
      }
      rows += records.length;
      onRows(rows);
    });
  } catch (error) {
    await discard();
    throw error;
  }
  if (holds) {
    // An empty run shows no page: its columns are the preferred ones it has (none).
    plan ??= columns.planOf(fromStart);
    const text = (async function* () {
      yield* files.start.text();
      yield* files.end.writesLastFirst();
    })();
    return { plan, csv: { rows, text }, discard };
  }
  await discard();
  const every = new FieldCollector();
  every.addFrom(fromStart);
  for (const fields of fromEnd.reverse()) every.addFrom(fields);
  return { plan: columns.planOf(every), csv: null, discard };
}

/** Whether a record's inputs, expected and outputs use only these field names (in that order). */
function fitsColumns(record: RecordWithScores, known: Array<Set<string>>): boolean {
  const groups = [record.inputs, record.expected, record.outputs];
  return groups.every((group, i) => Object.keys(group ?? {}).every((key) => known[i]!.has(key)));
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
      await file.append(page.map((record) => JSON.stringify(record)));
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
