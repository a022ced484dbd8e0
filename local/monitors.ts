import type { MonitorDeps, MonitorTickEvent, ScheduledMonitor, Scheduler } from '../lambdas/core/monitors/ports.js';
import { tickFromSchedule } from '../lambdas/core/monitors/tick.js';
import { DEFAULT_IDLE_CLOSE_MINUTES } from '../lambdas/core/runs/close.js';
import { executionsNotTracked, type RunExecutions } from '../lambdas/core/runs/ports.js';
import { sweepRuns } from '../lambdas/core/runs/sweep.js';
import { nextFireTime, parseSchedule } from '../lambdas/core/syntax/schedule.js';

/** The local scheduler's sense of time: the system clock, or a test's manual one. */
export interface SchedulerClock {
  now(): Date;
  /** Runs `fire` at `at` (or as soon after as the clock gets there); returns a function that cancels it. */
  setTimer(at: Date, fire: () => Promise<void>): () => void;
}

/** Node timers, re-armed in steps because setTimeout cannot wait longer than ~24.8 days. */
export const systemClock: SchedulerClock = {
  now: () => new Date(),
  setTimer(at, fire) {
    let handle: NodeJS.Timeout | undefined;
    const arm = () => {
      const delay = at.getTime() - Date.now();
      if (delay <= 0) {
        void fire();
        return;
      }
      handle = setTimeout(arm, Math.min(delay, 2 ** 31 - 1));
      handle.unref();
    };
    arm();
    return () => clearTimeout(handle);
  },
};

/** Time that moves only when a test says so: `advance` runs every timer that falls due, in order, and awaits it. */
export class ManualClock implements SchedulerClock {
  private current: number;
  private timers: Array<{ at: number; seq: number; fire: () => Promise<void> }> = [];
  private seq = 0;

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now() {
    return new Date(this.current);
  }

  setTimer(at: Date, fire: () => Promise<void>) {
    const timer = { at: at.getTime(), seq: this.seq++, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  async advance(ms: number) {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      await due.fire();
    }
    this.current = target;
  }
}

interface Armed {
  monitor: ScheduledMonitor;
  nextAt: Date;
  cancel: () => void;
}

/**
 * The local stand-in for EventBridge Scheduler: the same expressions (croner computes cron fire times, rates
 * fire on multiples of their period), one timer per active monitor, and on each firing the same event the
 * monitor Lambda receives, with the time the firing was due.
 */
export class LocalScheduler implements Scheduler {
  readonly unavailable = null;
  private readonly armed = new Map<string, Armed>();

  constructor(
    private readonly clock: SchedulerClock,
    private readonly onFire: (event: MonitorTickEvent) => Promise<void>,
  ) {}

  async upsertSchedule(monitor: ScheduledMonitor) {
    this.disarm(monitor.id);
    if (monitor.active) this.arm(monitor, this.clock.now());
  }

  async deleteSchedule(monitorId: string) {
    this.disarm(monitorId);
  }

  /** The schedules that exist, with their next firing. */
  list(): Array<{ monitorId: string; schedule: string; nextAt: string }> {
    return [...this.armed.values()].map((a) => ({
      monitorId: a.monitor.id,
      schedule: a.monitor.schedule,
      nextAt: a.nextAt.toISOString(),
    }));
  }

  stop() {
    for (const id of [...this.armed.keys()]) this.disarm(id);
  }

  private arm(monitor: ScheduledMonitor, after: Date) {
    const nextAt = nextFireTime(parseSchedule(monitor.schedule), after);
    if (!nextAt) return; // a cron expression whose last year has passed
    const cancel = this.clock.setTimer(nextAt, () => this.fire(monitor, nextAt));
    this.armed.set(monitor.id, { monitor, nextAt, cancel });
  }

  private disarm(monitorId: string) {
    this.armed.get(monitorId)?.cancel();
    this.armed.delete(monitorId);
  }

  private async fire(monitor: ScheduledMonitor, dueAt: Date) {
    // The next firing is armed first; firings missed while the process was asleep are not replayed (as in AWS):
    // the next tick's window starts where the last one ended, so no traffic is skipped.
    const now = this.clock.now();
    this.arm(monitor, now > dueAt ? now : dueAt);
    await this.onFire({ monitorId: monitor.id, orgId: monitor.orgId, scheduledTime: dueAt.toISOString() });
  }
}

export interface LocalMonitorOptions {
  /** Defaults to the system clock; tests pass a ManualClock. */
  clock?: SchedulerClock;
  log?: (line: string) => void;
  /** Runs fed from outside with no testset close after this many minutes without a record (RUN_IDLE_CLOSE_MINUTES). */
  idleCloseMinutes?: number;
  /** How often the same scheduler sweeps for idle runs (minutes; AWS's sweep schedule is rate(5 minutes)). */
  sweepEveryMinutes?: number;
  /** Runs Verdict executes are settled after this many minutes without progress (RUN_STUCK_MINUTES, 180). */
  stuckMinutes?: number;
  /** What the local pipeline knows of its workflow executions (the stuck-run sweeper asks it). */
  executions?: RunExecutions;
}

/** RUN_IDLE_CLOSE_MINUTES, validated: a positive whole number of minutes, 60 by default. */
export function idleCloseMinutesFrom(env: Record<string, string | undefined>): number {
  const text = env.RUN_IDLE_CLOSE_MINUTES;
  if (text === undefined || text === '') return DEFAULT_IDLE_CLOSE_MINUTES;
  const minutes = Number(text);
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new Error(`RUN_IDLE_CLOSE_MINUTES must be a whole number of minutes (1 or more), not "${text}"`);
  }
  return minutes;
}

/**
 * The run sweep on the scheduler's clock: every `everyMinutes` it closes the runs fed from outside that have had
 * no record for `idleMinutes` and settles stuck runs Verdict executes (what the sweep schedule does in AWS).
 */
function startIdleSweep(
  deps: MonitorDeps,
  clock: SchedulerClock,
  options: {
    idleMinutes: number;
    everyMinutes: number;
    stuckMinutes?: number;
    executions: RunExecutions;
    log: (line: string) => void;
  },
) {
  let cancel = () => {};
  let running: Promise<void> = Promise.resolve();
  const arm = (from: Date) => {
    const at = new Date(from.getTime() + options.everyMinutes * 60_000);
    cancel = clock.setTimer(at, () => {
      arm(at);
      running = sweepRuns(deps, clock.now(), options)
        .then(({ closed, settled }) => {
          for (const id of closed)
            options.log(`run ${id}: closed after ${options.idleMinutes} minutes without a record`);
          for (const { runId, reason } of settled) options.log(`run ${runId}: ${reason}`);
        })
        .catch((error: unknown) =>
          options.log(`run sweep failed (${error instanceof Error ? error.message : String(error)})`),
        );
      return running;
    });
  };
  arm(clock.now());
  return {
    async stop() {
      cancel();
      await running;
    },
  };
}

/** The scheduler of the embedded stack, re-armed from the stored active monitors. */
export async function startLocalMonitors(deps: MonitorDeps, options: LocalMonitorOptions = {}) {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const inFlight = new Set<Promise<void>>();
  const scheduler = new LocalScheduler(clock, (event) => {
    const tick = tickFromSchedule(deps, event, clock.now())
      .then((result) => {
        if (result?.runId) log(`monitor ${event.monitorId}: ${result.status} run ${result.runId}`);
      })
      .catch((error: unknown) =>
        log(`monitor ${event.monitorId}: tick failed (${error instanceof Error ? error.message : String(error)})`),
      )
      .finally(() => inFlight.delete(tick));
    inFlight.add(tick);
    return tick;
  });
  for (const { orgId, monitor } of await deps.monitors.listActive()) {
    await scheduler.upsertSchedule({ ...monitor, orgId });
  }
  const sweep = startIdleSweep(deps, clock, {
    idleMinutes: options.idleCloseMinutes ?? idleCloseMinutesFrom(process.env),
    everyMinutes: options.sweepEveryMinutes ?? 5,
    stuckMinutes: options.stuckMinutes,
    executions: options.executions ?? executionsNotTracked,
    log,
  });
  return {
    scheduler,
    clock,
    async stop() {
      scheduler.stop();
      await sweep.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
export type LocalMonitors = Awaited<ReturnType<typeof startLocalMonitors>>;
