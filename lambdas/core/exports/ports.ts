import type { Scope } from '../ports.js';
import type { ExportRecord } from '../schemas/export.js';

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
}
