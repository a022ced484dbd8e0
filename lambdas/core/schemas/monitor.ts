import * as z from 'zod';
import { parseDuration, scheduleProblem } from '../syntax/schedule.js';
import { spanPatternProblem } from '../syntax/span-pattern.js';
import { Id, Name, StoredNumber } from './common.js';

export const ScheduleExpression = z
  .string()
  .trim()
  .max(256)
  .superRefine((value, ctx) => {
    const problem = scheduleProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    description:
      'EventBridge Scheduler syntax, in UTC: "rate(5 minutes)", "rate(1 hour)", "rate(1 day)" or ' +
      '"cron(min hour day-of-month month day-of-week year)" with "?" in one of the day fields',
    example: 'rate(1 hour)',
  });

export const Lookback = z
  .string()
  .trim()
  .refine((value) => parseDuration(value) !== null, 'must be "<n> minute(s)|hour(s)|day(s)", at most 90 days')
  .meta({ description: 'How far back a tick looks when there is no previous tick, e.g. "2 hours"', example: '1 hour' });

export const MonitorFilter = z
  .object({
    spanName: z
      .string()
      .max(500)
      .nullish()
      .superRefine((value, ctx) => {
        const problem = value ? spanPatternProblem(value) : null;
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({ description: 'JavaScript regular expression the span name must match (no nested quantifiers)' }),
    serviceName: z.string().max(256).nullish().meta({ description: 'Exact service name' }),
    searchText: z
      .string()
      .max(500)
      .nullish()
      .meta({ description: 'Case-insensitive text that must appear in the inputs, outputs or metadata' }),
  })
  .meta({ id: 'MonitorFilter' });
export type MonitorFilter = z.infer<typeof MonitorFilter>;

export const MonitorTarget = z
  .union([
    z.literal('traces'),
    z.object({ testsetId: Id, systemVersionId: Id }).meta({ description: 'Run this testset on this system version' }),
  ])
  .meta({ id: 'MonitorTarget', description: '"traces" (sampled production traffic) or a testset × system version' });
export type MonitorTarget = z.infer<typeof MonitorTarget>;

export const Monitor = z
  .object({
    id: Id,
    projectId: Id,
    name: z.string(),
    schedule: z.string(),
    active: z.boolean(),
    metricIds: z.array(Id),
    sampleRate: z.number(),
    filter: MonitorFilter,
    lookback: z.string().nullable().meta({ description: 'null: one schedule period' }),
    target: MonitorTarget,
    createdAt: z.string(),
    updatedAt: z.string(),
    lastTickEnd: z
      .string()
      .nullable()
      .meta({ description: 'End of the last scheduled window; the next one starts here' }),
    lastTickAt: z.string().nullable(),
    lastRunId: Id.nullable(),
  })
  .meta({ id: 'Monitor' });
export type Monitor = z.infer<typeof Monitor>;

const SampleRate = StoredNumber.min(0).max(1).meta({ description: 'Share of matching traces evaluated, 0–1' });

export const CreateMonitor = z
  .object({
    name: Name,
    schedule: ScheduleExpression,
    active: z.boolean().default(true),
    metricIds: z.array(Id).max(50).default([]),
    sampleRate: SampleRate.default(1),
    filter: MonitorFilter.default({}),
    lookback: Lookback.nullish(),
    target: MonitorTarget.default('traces'),
  })
  .meta({ id: 'CreateMonitor' });
export type CreateMonitor = z.infer<typeof CreateMonitor>;

export const UpdateMonitor = z
  .object({
    name: Name.optional(),
    schedule: ScheduleExpression.optional(),
    active: z.boolean().optional(),
    metricIds: z.array(Id).max(50).optional(),
    sampleRate: SampleRate.optional(),
    filter: MonitorFilter.optional(),
    lookback: Lookback.nullish(),
    target: MonitorTarget.optional(),
  })
  .meta({ id: 'UpdateMonitor' });
export type UpdateMonitor = z.infer<typeof UpdateMonitor>;

export const TriggerMonitor = z
  .object({ lookback: Lookback.optional() })
  .meta({ id: 'TriggerMonitor', description: 'Optional: evaluate the last <lookback> instead of the due window' });

export const TickResult = z
  .object({
    monitorId: Id,
    status: z.enum(['created', 'duplicate', 'in_progress', 'empty', 'skipped']).meta({
      description:
        'created: this tick made the run · duplicate: the window was already evaluated (its run is returned) · ' +
        'in_progress: another tick is evaluating it · empty: no trace matched · skipped: nothing to evaluate',
    }),
    windowStart: z.string(),
    windowEnd: z.string(),
    runId: Id.nullable(),
    numRecords: z.number().int(),
  })
  .meta({ id: 'TickResult' });
export type TickResult = z.infer<typeof TickResult>;
