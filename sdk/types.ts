/**
 * The SDK's types are inferred from the very zod schemas the API validates with and documents in its OpenAPI
 * document, so a field added to the API appears here without copying. `…Input` types are what a request may
 * send (defaults optional); the others are what responses carry.
 */
import type { z } from 'zod';
import type { Json as JsonSchema } from '../lambdas/core/schemas/common.js';
import type {
  MetricComparison as MetricComparisonSchema,
  PairChange as PairChangeSchema,
  RunComparison as RunComparisonSchema,
} from '../lambdas/core/schemas/compare.js';
import type {
  CompletedExport,
  CreateRecordsExport as CreateRecordsExportSchema,
  CreateRunExport as CreateRunExportSchema,
  Export as ExportSchema,
} from '../lambdas/core/schemas/export.js';
import type {
  GithubConnection as GithubConnectionSchema,
  PutGithubConnection as PutGithubConnectionSchema,
} from '../lambdas/core/schemas/github.js';
import type {
  CreateMetric as CreateMetricSchema,
  Metric as MetricSchema,
  UpdateMetric as UpdateMetricSchema,
} from '../lambdas/core/schemas/metric.js';
import type {
  PlaygroundRequest as PlaygroundRequestSchema,
  PlaygroundResult as PlaygroundResultSchema,
} from '../lambdas/core/schemas/playground.js';
import type {
  CreateProject as CreateProjectSchema,
  Project as ProjectSchema,
} from '../lambdas/core/schemas/project.js';
import type {
  CreateRecord as CreateRecordSchema,
  RecordWithScores as RecordWithScoresSchema,
  RunRecord as RunRecordSchema,
  Score as ScoreSchema,
  ScoreValue as ScoreValueSchema,
} from '../lambdas/core/schemas/record.js';
import type { RecordFilter } from '../lambdas/core/schemas/record-search.js';
import type {
  CreateRun as CreateRunSchema,
  MetricAggregate as MetricAggregateSchema,
  RescoreRun as RescoreRunSchema,
  Run as RunSchema,
  RunSource as RunSourceSchema,
  RunStatus as RunStatusSchema,
  UpdateRun as UpdateRunSchema,
} from '../lambdas/core/schemas/run.js';
import type { RunHistory as RunHistorySchema } from '../lambdas/core/schemas/run-history.js';
import type {
  CreateSystemVersion as CreateSystemVersionSchema,
  SystemConfig as SystemConfigSchema,
  System as SystemSchema,
  SystemVersion as SystemVersionSchema,
  UpdateSystem as UpdateSystemSchema,
  UpsertSystem as UpsertSystemSchema,
} from '../lambdas/core/schemas/system.js';
import type {
  CreateTestcases as CreateTestcasesSchema,
  CreateTestset as CreateTestsetSchema,
  Testcase as TestcaseSchema,
  Testset as TestsetSchema,
  UpdateTestset as UpdateTestsetSchema,
} from '../lambdas/core/schemas/testset.js';

export type Json = z.infer<typeof JsonSchema>;

export type Project = z.infer<typeof ProjectSchema>;
export type CreateProjectInput = z.input<typeof CreateProjectSchema>;

export type Testset = z.infer<typeof TestsetSchema>;
export type CreateTestsetInput = z.input<typeof CreateTestsetSchema>;
export type UpdateTestsetInput = z.input<typeof UpdateTestsetSchema>;
export type Testcase = z.infer<typeof TestcaseSchema>;
export type TestcaseItem = z.input<typeof CreateTestcasesSchema>['items'][number];

export type Metric = z.infer<typeof MetricSchema>;
export type CreateMetricInput = z.input<typeof CreateMetricSchema>;
export type UpdateMetricInput = z.input<typeof UpdateMetricSchema>;

export type System = z.infer<typeof SystemSchema>;
export type SystemVersion = z.infer<typeof SystemVersionSchema>;
export type SystemConfig = z.infer<typeof SystemConfigSchema>;

/** Configs of systems Verdict runs itself; `external` and free-form ones (your own parameters) run in your code. */
export const isHostedConfig = (config: SystemConfig) => config.type === 'openai_chat' || config.type === 'http';
export type UpsertSystemInput = z.input<typeof UpsertSystemSchema>;
export type UpdateSystemInput = z.input<typeof UpdateSystemSchema>;
export type CreateSystemVersionInput = z.input<typeof CreateSystemVersionSchema>;

export type Run = z.infer<typeof RunSchema>;
export type RunStatus = z.infer<typeof RunStatusSchema>;
export type RunSource = z.infer<typeof RunSourceSchema>;
export type MetricAggregate = z.infer<typeof MetricAggregateSchema>;
export type CreateRunInput = z.input<typeof CreateRunSchema>;
export type UpdateRunInput = z.input<typeof UpdateRunSchema>;
export type RescoreRunInput = z.input<typeof RescoreRunSchema>;

export type GithubConnection = z.infer<typeof GithubConnectionSchema>;
export type PutGithubConnectionInput = z.input<typeof PutGithubConnectionSchema>;

export type RunRecord = z.infer<typeof RunRecordSchema>;
export type RecordWithScores = z.infer<typeof RecordWithScoresSchema>;
export type CreateRecordInput = z.input<typeof CreateRecordSchema>;
export type Score = z.infer<typeof ScoreSchema>;
export type ScoreValue = z.infer<typeof ScoreValueSchema>;

export type RunComparison = z.infer<typeof RunComparisonSchema>;
export type MetricComparison = z.infer<typeof MetricComparisonSchema>;
export type PairChange = z.infer<typeof PairChangeSchema>;

/** The records page's filters (`passed` needs `metricId`). */
export type RecordSearchFilter = RecordFilter;

/** Per metric, one point per completed run, oldest first. */
export type RunHistory = z.infer<typeof RunHistorySchema>;
export type MetricHistory = RunHistory['metrics'][number];
export interface RunHistoryParams {
  metricIds?: string[];
  source?: RunSource;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export type PlaygroundInput = z.input<typeof PlaygroundRequestSchema>;
export type PlaygroundResult = z.infer<typeof PlaygroundResultSchema>;

/** A CSV export as the API reports it: pending, running (rows so far), completed (with `url`) or failed. */
export type ExportJob = z.infer<typeof ExportSchema>;
/** A completed CSV export: `url` is a presigned GET that stops working at `expiresAt`. */
export type RunExport = CompletedExport;
export type CreateRunExportInput = z.input<typeof CreateRunExportSchema>;
export type CreateRecordsExportInput = z.input<typeof CreateRecordsExportSchema>;

/** One page of any list: `{data, nextCursor, hasMore, total?}`. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  hasMore: boolean;
  total?: number;
}

/** Page size and cursor of any list, plus the list's own filters. */
export type ListParams = {
  /** Items per request, 1–100 (the iterator keeps fetching pages; this is not a total). */
  limit?: number;
};
