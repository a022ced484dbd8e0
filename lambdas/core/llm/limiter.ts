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

  return limiterOver({ acquire, release, active: () => active, pending: () => waiting.length });
}

/** What a limiter counts with: how a slot is taken and given back, and how many are in use or awaited. */
export interface Slots {
  acquire(): Promise<void>;
  release(): void;
  active(): number;
  pending(): number;
}

/** A Limiter over any way of counting slots (this process's semaphore, or permits leased from a shared pool). */
export function limiterOver(slots: Slots): Limiter {
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      await slots.acquire();
      try {
        return await fn();
      } finally {
        slots.release();
      }
    },
    get active() {
      return slots.active();
    },
    get pending() {
      return slots.pending();
    },
  };
}

/** A ChatModel whose calls go through `limiter`, one slot per attempt. */
export function limitedChatModel(chat: ChatModel, limiter: Limiter): ChatModel {
  return { complete: (request) => limiter.run(() => chat.complete(request)) };
}
