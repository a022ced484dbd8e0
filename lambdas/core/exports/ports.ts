import { VerdictError } from '../errors.js';
import type { Scope } from '../ports.js';
import type { ExportProgress, ExportRecord, ExportStatus } from '../schemas/export.js';

/** Where export files go: written as a stream, read by clients through presigned links. */
export interface ExportFileStore {
  /** Streams `body` into a new object and resolves once it is stored; returns its size. */
  write(key: string, body: AsyncIterable<string>, file: { contentType: string; fileName: string }): Promise<number>;
  exists(key: string): Promise<boolean>;
  /** A GET link valid for `expiresInSeconds` from `now`; `expiresAt` may be earlier if the signer's credentials end first. */
  presign(key: string, expiresInSeconds: number, now: Date): Promise<{ url: string; expiresAt: Date }>;
}

export interface ExportRepository {
  put(scope: Scope, record: ExportRecord): Promise<void>;
  get(scope: Scope, id: string): Promise<ExportRecord | null>;
  /**
   * Moves an export forward; with `onlyIf`, only while its status is one of those (a late progress note must
   * never turn a completed export back into a running one). Returns false when the condition did not hold.
   */
  update(scope: Scope, id: string, progress: ExportProgress, onlyIf?: ExportStatus[]): Promise<boolean>;
}

/** The message that asks the export worker to write one export's file. */
export interface ExportJob {
  kind: 'export';
  orgId: string;
  exportId: string;
}

/** Hands export jobs to the export worker: an SQS queue in AWS and locally. */
export interface ExportQueue {
  enqueue(job: ExportJob): Promise<void>;
}

/** A deployment without an export worker: creating an export says so instead of leaving it pending for ever. */
export const EXPORT_QUEUE_NOT_CONFIGURED: ExportQueue = {
  async enqueue() {
    throw new VerdictError(503, 'not_configured', 'this deployment has no export worker configured');
  },
};

/**
 * Scratch space for one export: the worker reads the records once, appending each as a line while it learns
 * the columns, then reads the lines back to write the CSV (whose header must come first). A file in the
 * Lambda's /tmp, or the OS temp dir locally.
 */
export interface ExportSpool {
  open(): Promise<SpoolFile>;
}

export interface SpoolFile {
  /** Appends lines (no line breaks inside) in order. */
  append(lines: string[]): Promise<void>;
  /** Once every line is appended: reads them back in order, at most `batch` per yield. */
  read(batch: number): AsyncIterable<string[]>;
  /** Appends text as it is (CSV with its own line breaks); read back with `text()`. */
  write(text: string): Promise<void>;
  /** Once everything is written: the text back, in chunks. */
  text(): AsyncIterable<string>;
  /** Once everything is written: the text of each `write`, the last one first (pages read from a list's end). */
  writesLastFirst(): AsyncIterable<string>;
  /** Removes the file; safe to call more than once. */
  discard(): Promise<void>;
}
