import * as z from 'zod';
import { nowIso } from '../deps.js';
import { NonRetryableError, notFound, VerdictError } from '../errors.js';
import { newId } from '../ids.js';
import type { Scope } from '../ports.js';
import { resolveFilter } from '../records/search.js';
import type { Export, ExportRecord } from '../schemas/export.js';
import type { RecordFilter } from '../schemas/record-search.js';
import {
  type ExportDeps,
  type ExportWorkerDeps,
  presentExport,
  recordsExportContent,
  runExportContent,
  writeCsv,
} from './create-export.js';
import type { ExportQueue } from './ports.js';

export type ExportJobDeps = ExportDeps & { exportQueue: ExportQueue };

/** How often a running export notes its row count: often enough to watch, rarely enough to cost nothing. */
export const EXPORT_PROGRESS_INTERVAL_MS = 1_000;

const ExportJobMessage = z.object({ kind: z.literal('export'), orgId: z.string().min(1), exportId: z.string().min(1) });

/**
 * POST /runs/{id}/exports: checks the run, stores a pending export and queues it for the export worker. The
 * request answers at once whatever the run's size: API Gateway's 30 s limit no longer bounds an export.
 */
export async function requestRunExport(deps: ExportJobDeps, scope: Scope, runId: string, expiresIn: number) {
  const run = await deps.runs.get(scope, runId);
  if (!run) throw notFound('run', runId);
  return requestExport(
    deps,
    scope,
    { projectId: run.projectId, runId: run.id, fileName: `run-${run.id}.csv` },
    expiresIn,
  );
}

/** POST /projects/{id}/records/exports: the filter is checked now (a bad one is a 400 here, not a failed export). */
export async function requestRecordsExport(
  deps: ExportJobDeps,
  scope: Scope,
  projectId: string,
  filter: RecordFilter,
  expiresIn: number,
) {
  await resolveFilter(deps, scope, projectId, filter);
  const target = { projectId, runId: null, fileName: `records-${projectId}.csv`, filter: { ...filter } };
  return requestExport(deps, scope, target, expiresIn);
}

async function requestExport(
  deps: ExportJobDeps,
  scope: Scope,
  target: Pick<ExportRecord, 'projectId' | 'runId' | 'fileName' | 'filter'>,
  expiresIn: number,
): Promise<Export> {
  const id = newId();
  const record: ExportRecord = {
    ...target,
    id,
    objectKey: `exports/${target.projectId}/${id}.csv`,
    status: 'pending',
    rows: 0,
    bytes: 0,
    createdAt: nowIso(deps),
    expiresIn,
  };
  await deps.exports.put(scope, record);
  try {
    await deps.exportQueue.enqueue({ kind: 'export', orgId: scope.orgId, exportId: id });
  } catch (error) {
    // Nobody will ever pick it up: say so on the export rather than leave it pending.
    const reason = error instanceof Error ? error.message : String(error);
    await deps.exports.update(scope, id, { status: 'failed', error: `could not queue the export: ${reason}` });
    throw error;
  }
  return presentExport(deps, record);
}

/** GET /exports/{id}: its status, rows so far, and once completed a fresh link. */
export async function showExport(deps: ExportDeps, scope: Scope, exportId: string, expiresIn?: number) {
  const record = await deps.exports.get(scope, exportId);
  if (!record) throw new VerdictError(404, 'not_found', `export ${exportId} was not found`);
  return presentExport(deps, record, expiresIn);
}

/** What the worker knows about this delivery of the job (SQS's receive count and the queue's redrive limit). */
export interface ExportDelivery {
  body: string;
  receiveCount: number;
  maxReceiveCount: number;
}

/**
 * The export worker: writes one export's CSV with the export code (create-export.ts), noting the records read so
 * far as it goes. A fault that cannot pass (the run was deleted, the filter no longer resolves) fails the export at
 * once with the reason; another is thrown so SQS delivers the job again, and fails the export on the last try.
 * A completed or failed export is never written again (SQS delivers at least once).
 */
export async function runExportJob(
  deps: ExportWorkerDeps,
  delivery: ExportDelivery,
  options: { progressIntervalMs?: number } = {},
): Promise<void> {
  const interval = options.progressIntervalMs ?? EXPORT_PROGRESS_INTERVAL_MS;
  const parsed = ExportJobMessage.safeParse(JSON.parse(delivery.body));
  if (!parsed.success) throw new NonRetryableError(`malformed export job: ${parsed.error.message}`);
  const scope = { orgId: parsed.data.orgId };
  const record = await deps.exports.get(scope, parsed.data.exportId);
  // Gone (expired before a late redelivery) or already settled: nothing to do.
  if (!record || record.status === 'completed' || record.status === 'failed' || record.status === undefined) return;
  await deps.exports.update(scope, record.id, { status: 'running', rows: 0 });

  let noted = 0;
  let lastNote = Date.now();
  let note: Promise<unknown> = Promise.resolve();
  const onRows = (rows: number) => {
    if (Date.now() - lastNote < interval || rows === noted) return;
    lastNote = Date.now();
    noted = rows;
    // Never awaited by the stream; chained so notes land in order, and only while the export is running.
    note = note.then(() => deps.exports.update(scope, record.id, { rows }, ['running'])).catch(() => {});
  };
  try {
    const content = record.runId
      ? await runExportContent(deps, scope, await runOf(deps, scope, record.runId), onRows)
      : await recordsExportContent(
          deps,
          scope,
          record.projectId,
          (record.filter ?? {}) as RecordFilter,
          new Date(record.createdAt),
          onRows,
        );
    const written = await writeCsv(deps, record, content);
    await note;
    await deps.exports.update(scope, record.id, { status: 'completed', ...written, completedAt: nowIso(deps) });
  } catch (error) {
    await note;
    const permanent = error instanceof VerdictError || error instanceof NonRetryableError;
    if (!permanent && delivery.receiveCount < delivery.maxReceiveCount) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    await deps.exports.update(scope, record.id, { status: 'failed', error: reason, completedAt: nowIso(deps) });
  }
}

async function runOf(deps: ExportDeps, scope: Scope, runId: string) {
  const run = await deps.runs.get(scope, runId);
  if (!run) throw notFound('run', runId);
  return run;
}
