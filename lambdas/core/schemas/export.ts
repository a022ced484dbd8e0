import * as z from 'zod';
import { Id } from './common.js';
import { RecordFilterBody } from './record-search.js';

export const DEFAULT_EXPORT_LINK_SECONDS = 900;
export const MAX_EXPORT_LINK_SECONDS = 86_400;

const ExpiresIn = z
  .number()
  .int()
  .min(1)
  .max(MAX_EXPORT_LINK_SECONDS)
  .default(DEFAULT_EXPORT_LINK_SECONDS)
  .meta({ description: 'Seconds the download link stays valid (default 900, at most 86,400)' });

export const CreateRunExport = z.object({ expiresIn: ExpiresIn }).meta({ id: 'CreateRunExport' });
export const CreateRecordsExport = RecordFilterBody.extend({ expiresIn: ExpiresIn }).meta({
  id: 'CreateRecordsExport',
});

export const ExportLinkQuery = z.object({
  expiresIn: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_EXPORT_LINK_SECONDS)
    .optional()
    .meta({ description: 'Seconds the link stays valid; by default what the export was created with' }),
});

export const ExportStatus = z.enum(['pending', 'running', 'completed', 'failed']);
export type ExportStatus = z.infer<typeof ExportStatus>;

/**
 * A CSV export, written by the export worker after the request has been answered. `rows` counts what has been
 * written so far while `running`; `url` (a presigned GET that stops working at `expiresAt`) is there once
 * `completed`; `error` says why a `failed` one failed.
 */
export const Export = z
  .object({
    id: Id,
    projectId: Id,
    runId: Id.nullable().meta({ description: 'Set for a run export; null for a records export' }),
    status: ExportStatus,
    rows: z.number().int().meta({ description: 'Rows written so far (all of them once completed)' }),
    bytes: z.number().int().meta({ description: 'Size of the file once completed; 0 before' }),
    createdAt: z.string(),
    completedAt: z.string().optional(),
    url: z.string().optional().meta({ description: 'Presigned download link, once completed' }),
    expiresAt: z.string().optional(),
    error: z.string().optional().meta({ description: 'Why the export failed' }),
  })
  .meta({ id: 'Export' });
export type Export = z.infer<typeof Export>;
/** A finished export, as a client that waited for it sees it. */
export type CompletedExport = Export & { status: 'completed'; url: string; expiresAt: string };

/** What is stored about an export; links are signed anew on every read. */
export interface ExportRecord {
  id: string;
  projectId: string;
  runId: string | null;
  objectKey: string;
  fileName: string;
  /** Items written before exports were asynchronous have none: they were completed when stored. */
  status?: ExportStatus;
  rows: number;
  bytes: number;
  createdAt: string;
  completedAt?: string;
  /** The link life the request asked for: the completed export's first link is signed for it. */
  expiresIn?: number;
  error?: string;
  filter?: Record<string, unknown>;
}

/** The fields the export worker moves forward as it goes. */
export type ExportProgress = Partial<Pick<ExportRecord, 'status' | 'rows' | 'bytes' | 'completedAt' | 'error'>>;
