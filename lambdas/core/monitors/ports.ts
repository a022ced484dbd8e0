import type { CoreDeps } from '../deps.js';
import type { PageRequest } from '../pagination.js';
import type { Paged, Scope } from '../ports.js';
import type { RunLauncher } from '../runs/ports.js';
import type { Monitor } from '../schemas/monitor.js';
import type { Trace } from '../schemas/trace.js';

/** What a schedule needs to know about its monitor: where to fire, and whether to exist at all. */
export type ScheduledMonitor = Pick<Monitor, 'id' | 'name' | 'schedule' | 'active'> & { orgId: string };

/**
 * One schedule per active monitor: EventBridge Scheduler in AWS, croner in the local stack. Both are
 * idempotent: upserting an unchanged monitor or deleting a missing schedule is not an error.
 */
export interface Scheduler {
  /** Why monitors cannot be scheduled here, or null where they can (`noScheduler` says it up front). */
  readonly unavailable: string | null;
  /** Creates or replaces the monitor's schedule; an inactive monitor has none, so it is deleted. */
  upsertSchedule(monitor: ScheduledMonitor): Promise<void>;
  deleteSchedule(monitorId: string): Promise<void>;
}

/** What a schedule delivers to the monitor Lambda (or the local scheduler's callback). */
export interface MonitorTickEvent {
  monitorId: string;
  orgId: string;
  /** When the schedule was due (EventBridge's `<aws.scheduler.scheduled-time>`); retries carry the same value. */
  scheduledTime?: string;
}

export type MonitorPatch = Partial<
  Pick<
    Monitor,
    'name' | 'schedule' | 'active' | 'metricIds' | 'sampleRate' | 'filter' | 'lookback' | 'target' | 'updatedAt'
  >
> & { resetCursor?: boolean };

/** The lock item of one (monitor, window): the first tick to write it owns the window. */
export interface TickState {
  monitorId: string;
  key: string;
  windowStart: string;
  windowEnd: string;
  phase: 'claimed' | 'done';
  runId: string | null;
  numRecords: number;
  /** Scheduled windows move the monitor's cursor; ad-hoc lookbacks do not. */
  advancesCursor: boolean;
  /** Once-only steps already done: the run's counters were added, the pipeline was started. */
  counted: boolean;
  launched: boolean;
  /** A claimed tick whose lease has passed was interrupted; another tick may take it over. */
  leaseUntil: string;
}

export interface MonitorRepository {
  create(scope: Scope, monitor: Monitor): Promise<Monitor>;
  get(scope: Scope, id: string): Promise<Monitor | null>;
  list(scope: Scope, projectId: string, page: PageRequest): Promise<Paged<Monitor>>;
  update(scope: Scope, id: string, patch: MonitorPatch): Promise<Monitor | null>;
  delete(scope: Scope, id: string): Promise<boolean>;
  /** Every active monitor of every organization (the local scheduler re-arms them on start). */
  listActive(): Promise<Array<{ orgId: string; monitor: Monitor }>>;
  /** Moves the monitor's cursor to `windowEnd` (never back) and notes the tick (and its run, if any). */
  recordTick(scope: Scope, id: string, tick: { windowEnd: string; at: string; runId: string | null }): Promise<void>;
  /**
   * Claims a window: writes its lock item if absent, or takes over one whose lease has passed. Returns the
   * window's state and whether this caller now owns it.
   */
  claimTick(
    scope: Scope,
    tick: Pick<TickState, 'monitorId' | 'key' | 'windowStart' | 'windowEnd' | 'advancesCursor'>,
    now: Date,
    leaseMs: number,
  ): Promise<{ state: TickState; owned: boolean }>;
  updateTick(
    scope: Scope,
    monitorId: string,
    key: string,
    patch: Partial<Pick<TickState, 'phase' | 'runId' | 'numRecords'>>,
  ): Promise<void>;
  /** Ends a failed tick's lease at once, so a retry can take the window over without waiting. */
  releaseTick(scope: Scope, monitorId: string, key: string, now: Date): Promise<void>;
  /** Windows claimed but not done (a tick failed or died in them), oldest first. */
  listOpenTicks(scope: Scope, monitorId: string): Promise<TickState[]>;
  /** Sets a once-only mark on the window; false if it was already set. */
  markTick(scope: Scope, monitorId: string, key: string, mark: 'counted' | 'launched'): Promise<boolean>;
}

export interface TraceWindowQuery {
  /** Exclusive. */
  start: string;
  /** Inclusive. */
  end: string;
  sampleRate: number;
  /** The monitor's filter. */
  accept: (trace: Trace) => boolean;
  /** At most this many traces, the earliest; `truncated` says some were left out. */
  limit: number;
}

export interface TraceRepository {
  putMany(scope: Scope, traces: Trace[]): Promise<void>;
  /**
   * The accepted traces of a project with start < timestamp ≤ end whose sampling hash is below `sampleRate`, in
   * (timestamp, traceId, spanId) order. Only the index shards that can hold sampled traces are read.
   */
  listWindow(
    scope: Scope,
    projectId: string,
    query: TraceWindowQuery,
  ): Promise<{ traces: Trace[]; truncated: boolean }>;
}

export interface MonitorDeps extends CoreDeps {
  monitors: MonitorRepository;
  traces: TraceRepository;
  launcher: Pick<RunLauncher, 'start'>;
}
