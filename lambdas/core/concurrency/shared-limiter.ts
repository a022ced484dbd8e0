import { type Limiter, limiterOver } from '../llm/limiter.js';

export interface SharedLimiterOptions {
  /** Asks for `want` permits in all (more, fewer or 0) and answers how many this process now holds. */
  hold(want: number): Promise<number>;
  /** The most this process ever asks for (the run's budget). */
  limit: number;
  /** How long a lease lives; it is renewed at a third of that while permits are held. */
  leaseMs: number;
  /** How long a freed permit is kept for the next call before it goes back to the pool. */
  lingerMs?: number;
  /** The first wait before asking again when every permit is taken; doubles up to `maxPollMs`. */
  pollMs?: number;
  /**
   * The longest wait between two asks (default 250 ms): permits another worker frees sit idle until a waiting
   * worker asks again, so this bounds how long a handoff between Lambdas can leave the budget unused. A waiting
   * worker reads the pool item at most 4 times a second.
   */
  maxPollMs?: number;
}

export interface SharedLimiter extends Limiter {
  /** Returns the permits nothing is using or waiting for now: call before a Lambda invocation ends (it freezes). */
  releaseIdle(): Promise<void>;
}

/**
 * A limiter whose slots are permits leased from a shared pool (see PermitStore). Calls run on permits this
 * process holds; when they are all busy it asks the pool for as many as its callers are waiting for, and polls
 * while the pool has none. Freed permits are handed to the next waiter at once, kept a moment for the next call,
 * then returned. Only `hold` talks to the pool, and never more than one `hold` is in flight.
 */
export function createSharedLimiter(options: SharedLimiterOptions): SharedLimiter {
  const lingerMs = options.lingerMs ?? 50;
  const basePollMs = options.pollMs ?? 25;
  const maxPollMs = options.maxPollMs ?? 250;
  let held = 0;
  let active = 0;
  const waiting: Array<() => void> = [];
  let syncing: Promise<void> | null = null;
  let again = false;
  let pollMs = basePollMs;
  let pollTimer: NodeJS.Timeout | null = null;
  let lingerTimer: NodeJS.Timeout | null = null;
  let renewTimer: NodeJS.Timeout | null = null;

  const demand = () => Math.min(options.limit, active + waiting.length);

  const dispatch = () => {
    while (active < held && waiting.length > 0) {
      active++;
      waiting.shift()!();
    }
  };

  const keepRenewing = () => {
    if (held > 0 && !renewTimer) {
      renewTimer = setInterval(() => void sync(true), Math.max(1, Math.floor(options.leaseMs / 3)));
      renewTimer.unref();
    } else if (held === 0 && renewTimer) {
      clearInterval(renewTimer);
      renewTimer = null;
    }
  };

  async function syncOnce(renew: boolean) {
    const want = demand();
    if (want !== held || renew) {
      try {
        held = await options.hold(want);
      } catch {
        // The pool could not be reached: keep what we hold (its lease still runs) and try again soon.
      }
    }
    dispatch();
    keepRenewing();
    if (waiting.length > 0 && active >= held) {
      if (!pollTimer) {
        pollTimer = setTimeout(() => {
          pollTimer = null;
          void sync();
        }, pollMs);
        pollTimer.unref();
        pollMs = Math.min(maxPollMs, pollMs * 2);
      }
    } else {
      pollMs = basePollMs;
    }
  }

  function sync(renew = false): Promise<void> {
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = (async () => {
      do {
        again = false;
        await syncOnce(renew);
        renew = false;
      } while (again);
    })().finally(() => {
      syncing = null;
    });
    return syncing;
  }

  const acquire = (): Promise<void> => {
    if (active < held && waiting.length === 0) {
      active++;
      return Promise.resolve();
    }
    const granted = new Promise<void>((resolve) => waiting.push(resolve));
    void sync();
    return granted;
  };

  const release = () => {
    const next = waiting.shift();
    // Hand the permit straight to the next waiter so it never goes back to the pool between two calls.
    if (next) return next();
    active--;
    if (lingerTimer) clearTimeout(lingerTimer);
    lingerTimer = setTimeout(() => {
      lingerTimer = null;
      if (demand() < held) void sync();
    }, lingerMs);
    lingerTimer.unref();
  };

  const limiter = limiterOver({ acquire, release, active: () => active, pending: () => waiting.length });
  // Object.assign keeps the limiter's getters (a spread would freeze them at today's counts).
  return Object.assign(limiter, {
    async releaseIdle() {
      if (lingerTimer) clearTimeout(lingerTimer);
      lingerTimer = null;
      // Best effort: if the pool cannot be reached the lease runs out by itself.
      if (demand() < held) await sync();
    },
  });
}
