import { createContext, Script } from 'node:vm';
import { NonRetryableError } from '../errors.js';

/**
 * How long one tenant-written pattern may run on one output. A regular expression or a JSON Schema's `pattern`
 * that backtracks catastrophically (`^(a+)+$` on "aaaa…a!") runs for hours, on the thread that scores every
 * organization's records; a linear match of a multi-megabyte output takes tens of milliseconds.
 */
export const PATTERN_TIME_LIMIT_MS = 500;

export class TimeLimitExceeded extends Error {
  constructor(readonly limitMs: number) {
    super(`ran for over ${limitMs} ms and was stopped`);
    this.name = 'TimeLimitExceeded';
  }
}

// A synchronous call cannot be interrupted from JavaScript; vm's timeout can: its watchdog thread terminates
// whatever the isolate is running, a RegExp's backtracking included, and the isolate then carries on. One
// context and one compiled script serve every call.
const context = createContext({ call: null as (() => unknown) | null });
const script = new Script('call()');

/** Runs `fn` and returns its result, or throws TimeLimitExceeded once it has run for `limitMs`. */
export function withinTime<T>(limitMs: number, fn: () => T): T {
  const outer = context.call;
  context.call = fn;
  try {
    return script.runInContext(context, { timeout: limitMs }) as T;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new TimeLimitExceeded(limitMs);
    throw error;
  } finally {
    context.call = outer;
  }
}

/**
 * withinTime for a tenant's pattern: a stop becomes a NonRetryableError, whose message `explain` builds around
 * "ran for over 500 ms and was stopped", so the record, score or tick it belongs to says why.
 */
export function patternWithinTime<T>(fn: () => T, explain: (stopped: string) => string): T {
  try {
    return withinTime(PATTERN_TIME_LIMIT_MS, fn);
  } catch (error) {
    if (error instanceof TimeLimitExceeded) throw new NonRetryableError(explain(error.message));
    throw error;
  }
}
