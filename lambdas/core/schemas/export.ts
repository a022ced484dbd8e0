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
  expiresIn: z.coerce.number().int().min(1).max(MAX_EXPORT_LINK_SECONDS).default(DEFAULT_EXPORT_LINK_SECONDS),
});

/** A CSV file in object storage; `url` is a presigned GET that stops working at `expiresAt`. */
export const Export = z
  .object({
    id: Id,
    projectId: Id,
    runId: Id.nullable().meta({ description: 'Set for a run export; null for a records export' }),
    rows: z.number().int(),
    bytes: z.number().int(),
    createdAt: z.string(),
    url: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Export' });
export type Export = z.infer<typeof Export>;

/** What is stored about an export; links are signed anew on every read. */
export interface ExportRecord {
  id: string;
  projectId: string;
  runId: string | null;
  objectKey: string;
  fileName: string;
  rows: number;
  bytes: number;
  createdAt: string;
  filter?: Record<string, unknown>;
}
