import * as z from 'zod';
import { Id } from './common.js';
import { SystemVersionSummary } from './system.js';

export const RunStatus = z.enum([
  'pending',
  'awaiting_execution',
  'running_execution',
  'awaiting_scoring',
  'running_scoring',
  'awaiting_human_scoring',
  'completed',
  'failed',
  'cancelled',
]);
export type RunStatus = z.infer<typeof RunStatus>;
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

export const RunSource = z.enum(['api', 'monitor', 'playground', 'kickoff']);
export type RunSource = z.infer<typeof RunSource>;

export const MetricProgress = z.object({
  scored: z.number().int(),
  errored: z.number().int(),
  total: z.number().int(),
  lastError: z
    .string()
    .optional()
    .meta({ description: 'Why the latest errored score failed, e.g. "no LLM configured"' }),
});

export const MetricAggregate = z.object({
  metricId: Id,
  metricVersionId: Id,
  name: z
    .string()
    .optional()
    .meta({ description: "The metric's name (absent on runs aggregated before names were kept)" }),
  outputType: z.enum(['boolean', 'int', 'float']),
  n: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  errored: z.number().int(),
  passRate: z.number().nullable(),
  mean: z.number().nullable(),
  median: z.number().nullable(),
  histogram: z.record(z.string(), z.number().int()).optional(),
});
export type MetricAggregate = z.infer<typeof MetricAggregate>;

export const Run = z
  .object({
    id: Id,
    projectId: Id,
    name: z.string().nullable(),
    testsetId: Id.nullable(),
    systemId: Id.nullable(),
    systemVersionId: Id.nullable(),
    metricIds: z.array(Id),
    metricVersionIds: z.array(Id),
    humanMetricVersionIds: z
      .array(Id)
      .meta({ description: 'Metric versions scored by people: the run waits in awaiting_human_scoring for them' }),
    generation: z.number().int().meta({ description: 'Scoring pass: 0 for the first, +1 per rescore' }),
    numRecords: z.number().int(),
    numExpectedRecords: z.number().int().nullable(),
    numScores: z.number().int(),
    numExecuted: z.number().int().meta({ description: 'Records whose system execution finished (ok or errored)' }),
    numErroredRecords: z.number().int(),
    status: RunStatus,
    source: RunSource,
    notes: z.string(),
    maxConcurrency: z.number().int(),
    trials: z.number().int(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    statusExplanation: z.record(z.string(), MetricProgress),
    aggregates: z.record(z.string(), MetricAggregate).nullable(),
    systemVersion: SystemVersionSummary.nullable()
      .optional()
      .meta({ description: 'The system version the run ran with (id and name), null when it had none' }),
    rerunOf: Id.optional().meta({ description: 'The run this one was made again from ("Run again")' }),
  })
  .meta({ id: 'Run' });
export type Run = z.infer<typeof Run>;

export const CreateRun = z
  .object({
    metricIds: z.array(Id).max(50).default([]),
    testsetId: Id.nullish(),
    systemVersionId: Id.nullish(),
    name: z.string().max(200).optional(),
    notes: z.string().max(10_000).optional(),
    source: RunSource.default('api'),
    maxConcurrency: z.number().int().min(1).max(500).default(20),
    trials: z.number().int().min(1).max(20).default(1),
  })
  .meta({ id: 'CreateRun' });
export type CreateRun = z.infer<typeof CreateRun>;

export const UpdateRun = z
  .object({ notes: z.string().max(10_000).optional(), name: z.string().max(200).optional() })
  .meta({ id: 'UpdateRun' });

export const RescoreRun = z
  .object({ metricIds: z.array(Id).min(1, 'name at least one metric').max(50) })
  .meta({ id: 'RescoreRun' });
