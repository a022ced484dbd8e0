import { createHash } from 'node:crypto';
import { notFound, TransientError } from '../errors.js';
import { positionalId } from '../ids.js';
import type { Scope } from '../ports.js';
import { createRun, isExecutedRun } from '../runs/lifecycle.js';
import type { Monitor, TickResult } from '../schemas/monitor.js';
import type { RunRecord } from '../schemas/record.js';
import type { Trace } from '../schemas/trace.js';
import type { MonitorDeps, MonitorTickEvent, TickState } from './ports.js';
import { traceMatcher } from './sampling.js';
import { tickWindow } from './window.js';

/** Records per tick; a larger window is evaluated in several ticks (the cursor stops where this one did). */
export const MAX_RECORDS_PER_TICK = 5_000;
/** Longer than the monitor Lambda's 5-minute timeout: a claimed window older than this was abandoned. */
export const TICK_LEASE_MS = 15 * 60_000;

export interface TickRequest {
  orgId: string;
  monitorId: string;
  /** When the tick was due: the schedule's fire time, or now for a manual trigger. */
  dueAt: Date;
  now: Date;
  /** Fired by the schedule (an inactive monitor's stray firing is skipped) rather than triggered by hand. */
  scheduled: boolean;
  /** A manual trigger's own lookback (see tickWindow). */
  lookbackMs?: number;
}

interface Outcome {
  runId: string | null;
  numRecords: number;
  /** How far the window was evaluated: its end, or the last trace taken when the tick hit its cap. */
  coveredUntil: string;
}

/**
 * One tick of a monitor: finishes windows earlier ticks left open, claims the (monitor, window) lock, moves the
 * monitor's cursor past the window, turns its sampled traces into a Run with source `monitor` and starts scoring
 * it (or starts a testset run). Every step is idempotent, so a repeated or overlapping tick returns the same run,
 * and a failed one is finished by its retry (the lease is released on failure) or, if it died, by a later tick
 * once its lease has passed. Windows never overlap, so no trace is evaluated twice by the schedule.
 */
export async function runMonitorTick(deps: MonitorDeps, request: TickRequest): Promise<TickResult> {
  const scope: Scope = { orgId: request.orgId };
  const monitor = await deps.monitors.get(scope, request.monitorId);
  if (!monitor) throw notFound('monitor', request.monitorId);
  const window = tickWindow(monitor, request.dueAt, { lookbackMs: request.lookbackMs, manual: !request.scheduled });
  const key = window.key;
  if (request.scheduled && !monitor.active) {
    const shown = { windowStart: window.start.toISOString(), windowEnd: window.end.toISOString() };
    return tickResult(monitor.id, 'skipped', { ...shown, runId: null, numRecords: 0 });
  }
  await resumeAbandoned(deps, scope, monitor, key, request.now);

  const { state, owned } = await deps.monitors.claimTick(
    scope,
    {
      monitorId: monitor.id,
      key,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
      advancesCursor: window.advancesCursor,
    },
    request.now,
    TICK_LEASE_MS,
  );
  if (!owned) return tickResult(monitor.id, state.phase === 'done' ? 'duplicate' : 'in_progress', state);
  return completeTick(deps, scope, monitor, state, request.now);
}

type Shown = Pick<TickState, 'windowStart' | 'windowEnd' | 'runId' | 'numRecords'>;
const tickResult = (monitorId: string, status: TickResult['status'], state: Shown): TickResult => ({
  monitorId,
  status,
  windowStart: state.windowStart,
  windowEnd: state.windowEnd,
  runId: state.runId,
  numRecords: state.numRecords,
});

/** Windows whose tick died (its lease has passed) are finished before a new one starts. */
async function resumeAbandoned(deps: MonitorDeps, scope: Scope, monitor: Monitor, currentKey: string, now: Date) {
  for (const open of await deps.monitors.listOpenTicks(scope, monitor.id)) {
    if (open.key === currentKey || open.leaseUntil > now.toISOString()) continue;
    const { state, owned } = await deps.monitors.claimTick(scope, open, now, TICK_LEASE_MS);
    // A window that keeps failing stays open (released) for the next tick; it must not hold up this one, which
    // reports the same fault if it is not particular to that window.
    if (owned) await completeTick(deps, scope, monitor, state, now).catch(() => undefined);
  }
}

/** Evaluates a claimed window to the end; on failure it gives the window up at once for a retry to resume. */
async function completeTick(
  deps: MonitorDeps,
  scope: Scope,
  monitor: Monitor,
  state: TickState,
  now: Date,
): Promise<TickResult> {
  try {
    const empty = state.windowStart >= state.windowEnd;
    const outcome: Outcome = empty
      ? { runId: null, numRecords: 0, coveredUntil: state.windowEnd }
      : monitor.target === 'traces'
        ? await evaluateTraces(deps, scope, monitor, state, now)
        : await startTestsetRun(deps, scope, monitor, state, now);
    await deps.monitors.updateTick(scope, monitor.id, state.key, {
      phase: 'done',
      runId: outcome.runId,
      numRecords: outcome.numRecords,
    });
    if (state.advancesCursor) await advanceCursor(deps, scope, monitor, outcome.coveredUntil, now, outcome.runId);
    const status = outcome.runId ? 'created' : empty ? 'skipped' : 'empty';
    return tickResult(monitor.id, status, { ...state, runId: outcome.runId, numRecords: outcome.numRecords });
  } catch (error) {
    await deps.monitors.releaseTick(scope, monitor.id, state.key, now).catch(() => undefined);
    throw error;
  }
}

/**
 * The cursor moves as soon as a window's traces are chosen, before its run exists: the next window starts after
 * them even if this tick fails, and this window is finished under its own lock, so none is evaluated twice.
 */
const advanceCursor = (
  deps: MonitorDeps,
  scope: Scope,
  monitor: Monitor,
  until: string,
  now: Date,
  runId: string | null = null,
) => deps.monitors.recordTick(scope, monitor.id, { windowEnd: until, at: now.toISOString(), runId });

/** The sampled, filtered traces of the window as the records of one run, scored through the pipeline. */
async function evaluateTraces(
  deps: MonitorDeps,
  scope: Scope,
  monitor: Monitor,
  state: TickState,
  now: Date,
): Promise<Outcome> {
  const { traces, coveredUntil } = await selectTraces(deps, scope, monitor, state);
  if (state.advancesCursor) await advanceCursor(deps, scope, monitor, coveredUntil, now);
  let runId = state.runId;
  if (!runId) {
    if (traces.length === 0) return { runId: null, numRecords: 0, coveredUntil };
    const run = await createRun(deps, scope, monitor.projectId, {
      metricIds: monitor.metricIds,
      source: 'monitor',
      name: monitor.name,
      notes: `Monitor ${monitor.id}: ${traces.length} sampled traces from ${state.windowStart} to ${coveredUntil}`,
      maxConcurrency: 20,
      trials: 1,
    });
    runId = run.id;
    await deps.monitors.updateTick(scope, monitor.id, state.key, { runId });
  }
  const records = traces.map((trace) => recordFromTrace(runId!, trace, now));
  for (let i = 0; i < records.length; i += 500) {
    await deps.records.insertMany(scope, records.slice(i, i + 500), monitor.projectId);
  }
  // Counters are ADDs, so they are added once per window; writing records again is harmless (same ids).
  if (!state.counted && (await deps.monitors.markTick(scope, monitor.id, state.key, 'counted'))) {
    await deps.runs.addCounters(scope, runId, { numRecords: records.length, executed: records.length });
  }
  if (!state.launched) {
    // The records are already executed: the state machine's rescore mode scores them in batches and finalizes.
    await awaitIndexed(deps, scope, runId, records.length);
    await deps.launcher.start(scope, runId, 'rescore');
    await deps.monitors.markTick(scope, monitor.id, state.key, 'launched');
  }
  return { runId, numRecords: records.length, coveredUntil };
}

/**
 * PrepareRun finds a run's records through an index that DynamoDB updates a moment after the write: start it
 * only once the index shows every record, or a few would never be scored.
 */
async function awaitIndexed(deps: MonitorDeps, scope: Scope, runId: string, expected: number) {
  for (let attempt = 0; ; attempt++) {
    if ((await deps.records.listIdsByRun(scope, runId)).length >= expected) return;
    if (attempt === 6) throw new TransientError(`run ${runId}: its records are not indexed yet; the retry resumes`);
    await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
  }
}

async function selectTraces(deps: MonitorDeps, scope: Scope, monitor: Monitor, state: TickState) {
  const { traces, truncated } = await deps.traces.listWindow(scope, monitor.projectId, {
    start: state.windowStart,
    end: state.windowEnd,
    sampleRate: monitor.sampleRate,
    accept: traceMatcher(monitor.filter),
    limit: MAX_RECORDS_PER_TICK,
  });
  if (!truncated || traces.length === 0) return { traces, coveredUntil: state.windowEnd };
  // Stop before the last timestamp taken, which may have more traces than fit: the next tick starts there.
  const last = traces.at(-1)!.timestamp;
  const whole = traces.filter((t) => t.timestamp < last);
  return whole.length > 0 ? { traces: whole, coveredUntil: whole.at(-1)!.timestamp } : { traces, coveredUntil: last };
}

/**
 * A record id that is a pure function of (run, trace): the run's id, then the trace's timestamp and a hash of
 * its identity. A resumed tick rewrites the same ids, records list in time order, and no two runs share ids.
 */
export function traceRecordId(runId: string, trace: Pick<Trace, 'traceId' | 'spanId' | 'timestamp'>): string {
  const identity = createHash('sha256').update(`${trace.traceId}\n${trace.spanId}`).digest();
  const hash40 = identity.readUInt32BE(0) * 256 + identity[4]!;
  return runId + positionalId(Date.parse(trace.timestamp), hash40);
}

export function recordFromTrace(runId: string, trace: Trace, now: Date): RunRecord {
  return {
    id: traceRecordId(runId, trace),
    runId,
    inputs: trace.inputs,
    expected: trace.expected ?? {},
    outputs: trace.outputs,
    status: 'completed',
    error: null,
    latencyMs: trace.latencyMs,
    usage: trace.usage,
    costUsd: trace.costUsd,
    trial: 0,
    traceId: trace.traceId,
    createdAt: now.toISOString(),
  };
}

/** A testset × system-version monitor starts a normal evaluation run each tick. */
async function startTestsetRun(
  deps: MonitorDeps,
  scope: Scope,
  monitor: Monitor,
  state: TickState,
  now: Date,
): Promise<Outcome> {
  const target = monitor.target as { testsetId: string; systemVersionId: string };
  if (state.advancesCursor) await advanceCursor(deps, scope, monitor, state.windowEnd, now);
  let runId = state.runId;
  if (!runId) {
    const run = await createRun(deps, scope, monitor.projectId, {
      metricIds: monitor.metricIds,
      testsetId: target.testsetId,
      systemVersionId: target.systemVersionId,
      source: 'monitor',
      name: monitor.name,
      notes: `Monitor ${monitor.id}: scheduled run for the window ending ${state.windowEnd}`,
      maxConcurrency: 20,
      trials: 1,
    });
    runId = run.id;
    await deps.monitors.updateTick(scope, monitor.id, state.key, { runId });
  }
  const run = await deps.runs.get(scope, runId);
  if (run && !state.launched && (await isExecutedRun(deps, scope, run))) {
    await deps.launcher.start(scope, runId, 'execute');
    await deps.monitors.markTick(scope, monitor.id, state.key, 'launched');
  }
  return { runId, numRecords: run?.numExpectedRecords ?? 0, coveredUntil: state.windowEnd };
}

/**
 * A schedule firing (EventBridge Scheduler's input, or the local scheduler's). The window comes from the time
 * the schedule was due, so retries of one firing are one tick. A firing for a deleted monitor (a schedule that
 * outlived it) does nothing.
 */
export async function tickFromSchedule(
  deps: MonitorDeps,
  event: MonitorTickEvent,
  now: Date,
): Promise<TickResult | null> {
  const due = event.scheduledTime ? new Date(event.scheduledTime) : now;
  // Trust the scheduler's clock over ours (a firing may arrive a moment "early"), but not a nonsense time.
  const dueAt = Number.isNaN(due.getTime()) || due.getTime() > now.getTime() + 3_600_000 ? now : due;
  if (!(await deps.monitors.get({ orgId: event.orgId }, event.monitorId))) return null;
  return runMonitorTick(deps, { orgId: event.orgId, monitorId: event.monitorId, dueAt, now, scheduled: true });
}
