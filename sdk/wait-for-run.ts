import type { VerdictClient } from './client.js';
import { VerdictTimeoutError } from './errors.js';
import { sleep } from './http.js';
import type { Run, RunStatus } from './types.js';

/** Statuses after which a run's aggregates no longer change by themselves. */
export const SETTLED_RUN_STATUSES: readonly RunStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'awaiting_human_scoring',
];

export interface WaitForRunOptions {
  /** Give up after this long (default 30 minutes). */
  timeoutMs?: number;
  /** Time between polls (default 1 s). */
  pollMs?: number;
  /** Called with the run after every poll (for a progress bar). */
  onProgress?: (run: Run) => void;
  signal?: AbortSignal;
}

/**
 * Polls GET /runs/{id} until the run is final (completed, failed, cancelled) or waits for people
 * (awaiting_human_scoring), and returns it with its per-metric aggregates.
 */
export async function waitForRun(client: VerdictClient, runId: string, options: WaitForRunOptions = {}): Promise<Run> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.runs.get(runId, { signal: options.signal });
    options.onProgress?.(run);
    if (SETTLED_RUN_STATUSES.includes(run.status)) return run;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new VerdictTimeoutError(
        `run ${runId} is still ${run.status} after ${timeoutMs} ms (${run.numRecords}/${run.numExpectedRecords ?? '?'} records, ${run.numScores} scores)`,
      );
    }
    await sleep(Math.min(pollMs, left), options.signal);
  }
}
