import type { VerdictClient } from './client.js';
import { VerdictSdkError, VerdictTimeoutError } from './errors.js';
import { sleep } from './http.js';
import type { ExportJob, RunExport } from './types.js';

/** The export worker settled the export as failed; `reason` is what it reported. */
export class VerdictExportFailedError extends VerdictSdkError {
  override name = 'VerdictExportFailedError';

  constructor(
    readonly exportId: string,
    readonly reason: string,
  ) {
    super(`export ${exportId} failed: ${reason}`);
  }
}

export interface WaitForExportOptions {
  /** Give up after this long (default 30 minutes). */
  timeoutMs?: number;
  /** Time between polls (default 500 ms). */
  pollMs?: number;
  /** Called with the export after every poll (rows so far while it runs). */
  onProgress?: (job: ExportJob) => void;
  signal?: AbortSignal;
}

/** Polls GET /exports/{id} until the export is completed (returned, with its link) or failed (thrown). */
export async function waitForExport(
  client: VerdictClient,
  exportId: string,
  options: WaitForExportOptions = {},
): Promise<RunExport> {
  const { timeoutMs = 30 * 60_000, pollMs = 500, onProgress, signal } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client.exports.get(exportId, undefined, { signal });
    onProgress?.(job);
    if (job.status === 'completed' && job.url && job.expiresAt) return job as RunExport;
    if (job.status === 'failed') throw new VerdictExportFailedError(exportId, job.error ?? 'no reason given');
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new VerdictTimeoutError(
        `export ${exportId} is still ${job.status} after ${timeoutMs} ms (${job.rows} rows)`,
      );
    }
    await sleep(Math.min(pollMs, left), signal);
  }
}
