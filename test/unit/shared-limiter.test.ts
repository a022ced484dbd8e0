import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSharedLimiter } from '../../lambdas/core/concurrency/shared-limiter.js';

/**
 * The pool a set of workers leases from, kept in memory: each holder asks for `want` and gets what the others
 * leave (what DynamoPermitStore does against the table; storage.contract and shared-budget test that one).
 */
function memoryPool(limit: number) {
  const held = new Map<string, number>();
  const asks: string[] = [];
  return {
    asks,
    held,
    hold: (holder: string) => async (want: number) => {
      asks.push(holder);
      const others = [...held].filter(([h]) => h !== holder).reduce((sum, [, n]) => sum + n, 0);
      const granted = Math.max(0, Math.min(want, limit - others));
      held.set(holder, granted);
      return granted;
    },
  };
}

/** A call that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createSharedLimiter', () => {
  it('hands the budget from one worker to a waiting one within a linger and a poll, however long it waited', async () => {
    const pool = memoryPool(2);
    const a = createSharedLimiter({ hold: pool.hold('a'), limit: 2, leaseMs: 60_000 });
    const b = createSharedLimiter({ hold: pool.hold('b'), limit: 2, leaseMs: 60_000 });
    const calls = [gate(), gate()];
    const running = calls.map((call) => a.run(() => call.opened));
    await vi.advanceTimersByTimeAsync(0);
    expect(pool.held.get('a')).toBe(2);

    // b waits for a minute while a's calls run: its asks back off, but never further apart than 250 ms.
    let bRan = false;
    const waiting = b.run(async () => {
      bRan = true;
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bRan).toBe(false);
    const asksByB = pool.asks.filter((h) => h === 'b').length;
    expect(asksByB).toBeGreaterThanOrEqual(60_000 / 250);

    // a finishes: its permits go back after the 50 ms linger, and b's next ask gets one.
    for (const call of calls) call.open();
    await Promise.all(running);
    await vi.advanceTimersByTimeAsync(50 + 250);
    expect(bRan).toBe(true);
    await waiting;
    expect(pool.held.get('a')).toBe(0);
  });

  it('keeps freed permits for its own waiting calls instead of giving them back between calls', async () => {
    const pool = memoryPool(1);
    const a = createSharedLimiter({ hold: pool.hold('a'), limit: 1, leaseMs: 60_000 });
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => a.run(async () => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    // One ask for the permit; the three calls passed it on without asking the pool again.
    expect(pool.asks).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(50);
    expect(pool.held.get('a')).toBe(0);
  });
});
