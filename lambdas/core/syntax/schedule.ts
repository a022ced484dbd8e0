import { Cron } from 'croner';

/**
 * Schedule expressions in EventBridge Scheduler's syntax, so the same string is sent to AWS and run by croner
 * locally: `rate(N minute|minutes|hour|hours|day|days)` or `cron(minutes hours day-of-month month day-of-week
 * year)`, always in UTC.
 */
export type Schedule =
  | { kind: 'rate'; expression: string; periodMs: number }
  | { kind: 'cron'; expression: string; cron: Cron };

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const RATE = /^rate\((\d{1,6}) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Extra single-item forms AWS accepts in this field (L, W, #); group 1 is the value they qualify. */
  special?: RegExp;
  question?: boolean;
}

// The six fields of an AWS cron expression, with the ranges and wildcards the AWS documentation lists.
const FIELDS: Field[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(?:L|LW|(\d{1,2})W)$/, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: /^(?:L|(\d|[A-Z]{3})(?:L|#[1-5]))$/, question: true },
  { name: 'year', min: 1970, max: 2199 },
];

export class ScheduleError extends Error {}

/** Parses and validates an expression; the error message says what is wrong in the user's terms. */
export function parseSchedule(expression: string): Schedule {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!;
    if (value < 1) throw new ScheduleError('a rate must be at least 1');
    // EventBridge Scheduler rejects "rate(1 minutes)" and "rate(5 minute)".
    if ((value === 1) !== !unit.endsWith('s')) {
      throw new ScheduleError(
        `use the ${value === 1 ? 'singular' : 'plural'} unit: rate(${value} ${plural(unit, value)})`,
      );
    }
    const periodMs = value * UNIT_MS[unit.replace(/s$/, '') as keyof typeof UNIT_MS];
    return { kind: 'rate', expression, periodMs };
  }
  const cron = CRON.exec(expression);
  if (!cron) {
    throw new ScheduleError(
      'must be "rate(<n> minute(s)|hour(s)|day(s))" or "cron(<min> <hour> <dom> <month> <dow> <year>)"',
    );
  }
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleError(
      `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  fields.forEach((value, i) => {
    checkField(FIELDS[i]!, value.toUpperCase());
  });
  const [, , dom, , dow] = fields;
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleError('exactly one of day-of-month and day-of-week must be "?"');
  }
  let job: Cron;
  try {
    // Croner's 7-part form with seconds fixed at 0; Quartz weekday numbers (1 = Sunday) as AWS uses.
    job = new Cron(`0 ${fields.map((f) => (f === '?' ? '*' : f)).join(' ')}`, {
      timezone: 'UTC',
      mode: '7-part',
      alternativeWeekdays: true,
      sloppyRanges: true,
      paused: true,
    });
  } catch (error) {
    throw new ScheduleError(error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error));
  }
  return { kind: 'cron', expression, cron: job };
}

const plural = (unit: string, value: number) => {
  const base = unit.replace(/s$/, '');
  return value === 1 ? base : `${base}s`;
};

function checkField(field: Field, value: string) {
  for (const item of value.split(',')) {
    if (item === '?' && field.question && value === '?') continue;
    const special = field.special?.exec(item);
    if (special) {
      if (special[1] !== undefined) checkNumbers(field, [toNumber(field, special[1])]);
      continue;
    }
    const match = /^(\*|([0-9A-Z]+)(?:-([0-9A-Z]+))?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw new ScheduleError(`${field.name} has an invalid value "${item}"`);
    const [, , from, to, step] = match;
    const numbers = [from, to].filter((v): v is string => v !== undefined).map((v) => toNumber(field, v));
    checkNumbers(field, numbers);
    if (step !== undefined && Number(step) < 1) throw new ScheduleError(`${field.name} has a step of 0`);
  }
}

function toNumber(field: Field, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const index = field.names?.indexOf(value) ?? -1;
  if (index < 0) throw new ScheduleError(`${field.name} has an invalid value "${value}"`);
  return index + 1; // JAN = 1, SUN = 1
}

function checkNumbers(field: Field, numbers: number[]) {
  for (const n of numbers) {
    if (n < field.min || n > field.max) {
      throw new ScheduleError(`${field.name} must be between ${field.min} and ${field.max}, got ${n}`);
    }
  }
}

/** The validation message for an expression, or null when EventBridge Scheduler (and croner) accept it. */
export function scheduleProblem(expression: string): string | null {
  try {
    const schedule = parseSchedule(expression);
    if (schedule.kind === 'cron' && !schedule.cron.nextRun(new Date())) return 'never fires again';
    return null;
  } catch (error) {
    if (error instanceof ScheduleError) return error.message;
    throw error;
  }
}

/** The first time strictly after `after` at which the schedule fires (rates fire on multiples of the period). */
export function nextFireTime(schedule: Schedule, after: Date): Date | null {
  if (schedule.kind === 'rate') {
    return new Date((Math.floor(after.getTime() / schedule.periodMs) + 1) * schedule.periodMs);
  }
  return schedule.cron.nextRun(after);
}

/**
 * The latest fire time at or before `at`: the boundary a tick due at `at` closes. Rates are aligned to multiples
 * of their period since the epoch, so every trigger inside one period maps to the same boundary.
 */
export function latestFireTime(schedule: Schedule, at: Date): Date | null {
  if (schedule.kind === 'rate') {
    return new Date(Math.floor(at.getTime() / schedule.periodMs) * schedule.periodMs);
  }
  // previousRuns excludes its reference instant, so look from just after it.
  return schedule.cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
}

/** The time between the fire at `boundary` and the one before it: a tick's default lookback. */
export function periodBefore(schedule: Schedule, boundary: Date): number {
  if (schedule.kind === 'rate') return schedule.periodMs;
  const previous = schedule.cron.previousRuns(1, boundary)[0];
  return previous ? boundary.getTime() - previous.getTime() : UNIT_MS.day;
}

const DURATION = /^(\d{1,6}) (minute|minutes|hour|hours|day|days)$/;
export const MAX_LOOKBACK_MS = 90 * UNIT_MS.day;

/** A lookback such as "30 minutes", "2 hours" or "7 days", in milliseconds (null when it is not one). */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!.replace(/s$/, '') as keyof typeof UNIT_MS];
  return ms > 0 && ms <= MAX_LOOKBACK_MS ? ms : null;
}
