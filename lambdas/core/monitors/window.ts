import type { Monitor } from '../schemas/monitor.js';
import { latestFireTime, parseDuration, parseSchedule, periodBefore } from './schedule.js';

/** A tick evaluates the traces with start < timestamp ≤ end. */
export interface TickWindow {
  start: Date;
  end: Date;
  /** Identifies the window for the lock: the same key means the same tick. */
  key: string;
  /** Scheduled windows move the monitor's cursor; ad-hoc lookbacks do not. */
  advancesCursor: boolean;
}

/** A monitor that missed ticks (an outage) catches up on at most this much traffic: the default trace TTL. */
export const MAX_CATCH_UP_MS = 30 * 86_400_000;

const MINUTE_MS = 60_000;

/**
 * The window of a tick due at `dueAt`.
 *
 * - Its end is the schedule's latest fire time at or before `dueAt` (rates on multiples of their period since the
 *   epoch). Retries and duplicate deliveries of one firing, and manual triggers before the next firing, all land
 *   on the same end, which is the window's key: they are one tick.
 * - Its start is where the previous window ended (the monitor's cursor), so consecutive windows tile time
 *   without gaps or overlaps even across missed firings; without a cursor (first tick, or just reactivated) it
 *   is `end − lookback`, the lookback defaulting to one schedule period.
 * - A manual trigger without a lookback evaluates up to now, not to the last fire time: "post traces, then
 *   trigger" must see those traces. It starts where the cursor is (or one lookback back) and moves the cursor,
 *   so the next scheduled window starts where it ended and no trace is evaluated twice. Its key is its end to
 *   the millisecond: a second trigger later is a new (usually smaller) window; a retry of the same request is
 *   deduplicated by its Idempotency-Key.
 * - A manual trigger with its own lookback evaluates (now − lookback, now], now floored to the minute and keyed
 *   by both, and leaves the cursor alone: it is an ad-hoc look, not a scheduled window.
 */
export function tickWindow(
  monitor: Monitor,
  dueAt: Date,
  options: { lookbackMs?: number; manual?: boolean } = {},
): TickWindow {
  const { lookbackMs, manual = false } = options;
  if (lookbackMs !== undefined) {
    const end = new Date(Math.floor(dueAt.getTime() / MINUTE_MS) * MINUTE_MS);
    const start = new Date(end.getTime() - lookbackMs);
    return { start, end, key: `${end.toISOString()}~${lookbackMs}`, advancesCursor: false };
  }
  const schedule = parseSchedule(monitor.schedule);
  const fireTime = latestFireTime(schedule, dueAt) ?? new Date(Math.floor(dueAt.getTime() / MINUTE_MS) * MINUTE_MS);
  const end = manual ? dueAt : fireTime;
  const cursor = monitor.lastTickEnd ? Date.parse(monitor.lastTickEnd) : null;
  const lookback = (monitor.lookback ? parseDuration(monitor.lookback) : null) ?? periodBefore(schedule, fireTime);
  const startMs = cursor === null ? end.getTime() - lookback : Math.max(cursor, end.getTime() - MAX_CATCH_UP_MS);
  // A late scheduled firing after a manual trigger moved the cursor past it evaluates an empty window.
  return { start: new Date(Math.min(startMs, end.getTime())), end, key: end.toISOString(), advancesCursor: true };
}
