import type { ChatModel } from './port.js';

export interface Limiter {
  /** Runs `fn` once fewer than the limit are running; callers are served first come, first served. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly pending: number;
}

/**
 * A counting semaphore. One instance is shared by every batch a process works on, so concurrent batches
 * together never exceed the LLM provider's (or our fake's) concurrency budget.
 */
export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  let active = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    const next = waiting.shift();
    // Hand the slot straight to the next waiter so a newcomer cannot jump the queue.
    if (next) next();
    else active--;
  };

  const acquire = (): Promise<void> => {
    if (active < limit) {
      active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => waiting.push(resolve));
  };

  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      await acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
    get active() {
      return active;
    },
    get pending() {
      return waiting.length;
    },
  };
}

/** A ChatModel whose calls go through `limiter`, one slot per attempt. */
export function limitedChatModel(chat: ChatModel, limiter: Limiter): ChatModel {
  return { complete: (request) => limiter.run(() => chat.complete(request)) };
}
