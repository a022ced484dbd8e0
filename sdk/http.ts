import { VerdictApiError, VerdictConnectionError, VerdictTimeoutError, VerdictUsageError } from './errors.js';

export type QueryValue = string | number | boolean | undefined | null;

export interface TransportOptions {
  /** The API's address, with or without the `/api/v2` suffix. */
  baseURL: string;
  apiKey: string;
  /** Per attempt, including reading the body. Default 60 s. */
  timeoutMs?: number;
  /** Extra attempts after the first for retryable failures. Default 3. */
  maxRetries?: number;
  /** Longest `Retry-After` the client honours as given; beyond it, its own backoff applies. Default 60 s. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
  /** POSTs always carry one (generated when absent) and keep it across retries, so a retry is never a second write. */
  idempotencyKey?: string;
}

/** AbortSignal.any (Node ≥ 20.3) with a fallback for older 20.x. */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

/** Accepts `http://host`, `http://host/`, or `http://host/api/v2`. */
export function apiBase(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v2') ? trimmed : `${trimmed}/api/v2`;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `retry-after-ms`, then `Retry-After` as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The server's `x-should-retry` wins; otherwise 408, 409, 429 and 5xx are worth another attempt. */
export function shouldRetry(status: number, headers: Headers): boolean {
  const hint = headers.get('x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

const backoffMs = (attempt: number) => Math.min(8_000, 500 * 2 ** attempt) * (1 - Math.random() * 0.25);

/** HTTP with the API's conventions: Bearer auth, JSON, retries with backoff, per-attempt timeouts. */
export class Transport {
  readonly baseURL: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: TransportOptions) {
    if (!options.apiKey) {
      throw new VerdictUsageError('no API key: set VERDICT_API_KEY or pass apiKey to the client');
    }
    this.baseURL = apiBase(options.baseURL);
    // Called through a wrapper: a browser's fetch throws "Illegal invocation" when called as another object's method.
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const url = new URL(`${this.baseURL}${path}`);
    for (const [k, v] of Object.entries(query ?? {}))
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const maxRetries = options.maxRetries ?? this.options.maxRetries ?? 3;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 60_000;
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.options.apiKey}`,
      ...this.options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (method === 'POST') headers['idempotency-key'] = options.idempotencyKey ?? `sdk-${crypto.randomUUID()}`;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const url = this.url(path, options.query);
    const where = { method, path };

    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = options.signal ? anySignal([options.signal, timeout]) : timeout;
      let status: number;
      let responseHeaders: Headers;
      let text: string;
      try {
        const res = await this.fetch(url, { method, headers, body, signal });
        status = res.status;
        responseHeaders = res.headers;
        text = await res.text();
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        const failure = timeout.aborted
          ? new VerdictTimeoutError(`${method} ${path} did not answer within ${timeoutMs} ms`, { cause: error })
          : new VerdictConnectionError(`${method} ${path}: could not reach ${this.baseURL} (${describe(error)})`, {
              cause: error,
            });
        if (attempt >= maxRetries) throw failure;
        await sleep(backoffMs(attempt), options.signal);
        continue;
      }
      if (status < 300) return parseBody<T>(text, where);
      const error = VerdictApiError.from(status, text, where, responseHeaders);
      if (attempt >= maxRetries || !shouldRetry(status, responseHeaders)) throw error;
      const hinted = retryAfterMs(responseHeaders);
      const wait = hinted !== null && hinted <= (this.options.maxRetryAfterMs ?? 60_000) ? hinted : backoffMs(attempt);
      await sleep(wait, options.signal);
    }
  }
}

function parseBody<T>(text: string, where: { method: string; path: string }): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new VerdictApiError(
      200,
      'invalid_response',
      'the API answered with something that is not JSON',
      {},
      where,
      new Headers(),
    );
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : '';
  return cause || error.message;
}
