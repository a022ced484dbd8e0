import { TransientError } from '../errors.js';
import type { ChatModel } from './port.js';

export interface RetryOptions {
  /** Total tries including the first. */
  attempts?: number;
  baseDelayMs?: number;
  /** Cap on the computed backoff. */
  maxDelayMs?: number;
  /** Cap on a server's Retry-After: beyond it we would rather fail the record than hold the worker. */
  maxRetryAfterMs?: number;
  /** Injected so tests can record the delays instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each wait, e.g. to log or count the retry. */
  onRetry?: (info: { attempt: number; delayMs: number; error: TransientError }) => void;
}

export const DEFAULT_RETRY = { attempts: 4, baseDelayMs: 500, maxDelayMs: 20_000, maxRetryAfterMs: 60_000 } as const;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Delay before retry number `attempt` (1-based): Retry-After when given, else exponential with jitter. */
export function retryDelayMs(attempt: number, error: TransientError, options: RetryOptions = {}): number {
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs;
  if (error.retryAfterMs !== undefined) return Math.min(Math.max(0, error.retryAfterMs), maxRetryAfterMs);
  const base = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const ceiling = Math.min(options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs, base * 2 ** (attempt - 1));
  // "Equal jitter": at least half the backoff, so callers that failed together do not retry together.
  const random = options.random ?? Math.random;
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Runs `fn` until it succeeds, retrying only TransientError. Anything else (NonRetryableError, a bug) is
 * rethrown at once. When the attempts run out the last TransientError is rethrown with the count in its
 * message, so the caller can mark the record errored with a reason a human can act on.
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_RETRY.attempts);
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      if (attempt >= attempts) {
        const exhausted = new TransientError(
          `${error.message} (gave up after ${attempts} attempts)`,
          error.retryAfterMs,
        );
        exhausted.cause = error;
        throw exhausted;
      }
      const delayMs = retryDelayMs(attempt, error, options);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}

/** A ChatModel whose calls are retried; wrap it around a limited model so waits do not hold a slot. */
export function retryingChatModel(chat: ChatModel, options: RetryOptions = {}): ChatModel {
  return { complete: (request) => withRetries(() => chat.complete(request), options) };
}
