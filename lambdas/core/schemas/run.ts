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
  allErrored: z
    .literal(true)
    .optional()
    .meta({ description: 'Every score of this metric errored: it gave no result (see lastError)' }),
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
  allErrored: z
    .literal(true)
    .optional()
    .meta({ description: 'Every score of this metric errored: passRate and mean are null for want of a result' }),
});
export type MetricAggregate = z.infer<typeof MetricAggregate>;

/** One scoring pass of a run, as it stood when a rescore replaced it (or as it stands, for the latest). */
export const ScoringGeneration = z
  .object({
    generation: z.number().int(),
    metricIds: z.array(Id),
    metricVersionIds: z.array(Id),
    rescoredMetricVersionIds: z
      .array(Id)
      .nullable()
      .meta({ description: 'The metric versions this pass judged; null for the first pass (every metric)' }),
    status: RunStatus,
    completedAt: z.string().nullable(),
    statusExplanation: z.record(z.string(), MetricProgress),
    aggregates: z.record(z.string(), MetricAggregate).nullable(),
  })
  .meta({ id: 'ScoringGeneration' });
export type ScoringGeneration = z.infer<typeof ScoringGeneration>;

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
    rescoredMetricVersionIds: z.array(Id).optional().meta({
      description:
        "Metric versions the latest rescore re-judged; the run's other metrics kept their scores (absent before any rescore)",
    }),
    scoringHistory: z.array(ScoringGeneration).optional().meta({
      description: 'Earlier scoring passes, oldest first, as each stood when a rescore replaced it',
    }),
    numRecords: z.number().int(),
    numExpectedRecords: z.number().int().nullable(),
    numScores: z.number().int(),
    numExecuted: z.number().int().meta({ description: 'Records whose system execution finished (ok or errored)' }),
    numErroredRecords: z.number().int(),
    numInvalidRecords: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Errored records whose testcase failed validation: they were not run' }),
    firstRecordError: z.string().optional().meta({ description: 'The first error of an errored record' }),
    failureReason: z
      .string()
      .nullable()
      .optional()
      .meta({ description: 'Why a failed run failed: the first fatal error, e.g. "no LLM configured"' }),
    statusReason: z.string().optional().meta({
      description:
        'The status in one sentence, with its reasons: why it failed, which metric gave no result, records not run',
    }),
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
    closedAt: z.string().nullable().optional().meta({
      description:
        'When the run stopped taking records (POST /runs/{runId}/finish, or closed for idleness); later records get a 409',
    }),
    closedBy: z.enum(['client', 'idle']).optional().meta({
      description: 'Who closed it: the client said it was done, or it was closed after RUN_IDLE_CLOSE_MINUTES idle',
    }),
    lastRecordAt: z.string().optional().meta({ description: 'When the latest record was posted to the run' }),
    lastProgressAt: z
      .string()
      .optional()
      .meta({ description: 'When a record or score of the run was last counted (a run without progress is settled)' }),
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
    execution: z
      .enum(['verdict', 'github'])
      .optional()
      .meta({
        description:
          'github: Verdict starts the project’s connected GitHub workflow (PUT /projects/{projectId}/github), which ' +
          'fills the run with `verdict run --run-id`; needs testsetId',
      }),
  })
  .meta({ id: 'CreateRun' });
export type CreateRun = z.infer<typeof CreateRun>;

export const UpdateRun = z
  .object({
    notes: z.string().max(10_000).optional(),
    name: z.string().max(200).optional(),
    status: z
      .literal('awaiting_scoring', {
        error: 'only "awaiting_scoring" can be set: it means no more records (as POST /runs/{runId}/finish)',
      })
      .optional()
      .meta({
        description: 'Scorecard’s way to close a run fed through the API; the same as POST /runs/{runId}/finish',
      }),
  })
  .meta({ id: 'UpdateRun' });

export const RescoreRun = z
  .object({ metricIds: z.array(Id).min(1, 'name at least one metric').max(50) })
  .meta({ id: 'RescoreRun' });
