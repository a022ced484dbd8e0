import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.js';

export const tempDataDir = (name = 'verdict-test-') => mkdtempSync(join(tmpdir(), name));

/**
 * Starts the embedded stack on free ports in a fresh data dir; the returned stop also removes the dir. Tests
 * point http systems at agents on 127.0.0.1, so private URLs are allowed unless a test says otherwise (the
 * stack's own ports stay refused either way).
 */
export async function startTestStack(
  options: Partial<LocalStackOptions> = {},
): Promise<LocalStack & { dataDir: string }> {
  const dataDir = options.dataDir ?? tempDataDir();
  const stack = await startLocalStack({ port: 0, allowPrivateUrls: true, ...options, dataDir });
  return {
    ...stack,
    dataDir,
    async stop() {
      await stack.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny client over real HTTP: every test request goes through the network stack and the whole app. */
export function apiClient(baseUrl: string, apiKey?: string) {
  async function call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${baseUrl}/api/v2${path}`, {
      method,
      headers: {
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // leave as text: a test asserting JSON will fail visibly
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('POST', path, body, headers),
    put: <T = any>(path: string, body?: unknown) => call<T>('PUT', path, body),
    patch: <T = any>(path: string, body?: unknown) => call<T>('PATCH', path, body),
    delete: <T = any>(path: string) => call<T>('DELETE', path),
    raw: call,
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/** Follows nextCursor until hasMore is false, returning every item. */
export async function collectPages<T>(client: ApiClient, path: string, limit = 100): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  for (let i = 0; i < 10_000; i++) {
    const res: ApiResponse = await client.get(
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (res.status !== 200) throw new Error(`GET ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...res.body.data);
    if (!res.body.hasMore) return out;
    cursor = res.body.nextCursor;
  }
  throw new Error('pagination did not end');
}

/**
 * Polls `probe` until it returns a value (not undefined), for state that other processes change over HTTP
 * (a run finishing). It waits on a condition, never a fixed time; the timeout only bounds a broken test.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
  maxIntervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = Math.min(10, maxIntervalMs);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(maxIntervalMs, delay * 2);
  }
}

/** Waits until the run reaches one of `statuses` and returns it. */
export function waitForRun(
  api: ApiClient,
  runId: string,
  statuses = ['completed', 'failed', 'cancelled'],
  timeoutMs = 60_000,
  /** Benchmarks poll more often, so the wall time they report is the run's, not the polling's. */
  maxIntervalMs = 200,
) {
  return waitFor(
    async () => {
      const run = await api.get(`/runs/${runId}`);
      return statuses.includes(run.body.status) ? run.body : undefined;
    },
    `run ${runId} to reach ${statuses.join('/')}`,
    timeoutMs,
    maxIntervalMs,
  );
}

/**
 * The field paths an error body names (`{code, message, details}`), read in one place so tests do not depend on
 * how `details` lays them out.
 */
export function fieldPaths(body: { details?: unknown }): string[] {
  const details = body.details as { issues?: Array<{ path: string }> } | Array<{ path: string }> | undefined;
  const issues = Array.isArray(details) ? details : (details?.issues ?? []);
  return issues.map((issue) => issue.path);
}
