import * as z from 'zod';
import { Id } from './common.js';
import { OutputType } from './metric.js';
import { RunSource } from './run.js';
import { SystemVersionSummary } from './system.js';

/** `metricIds=a,b` or `metricIds=a&metricIds=b`. */
const IdList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => [...new Set((Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter(Boolean))])
  .pipe(z.array(Id).min(1).max(50));

export const RunHistoryQuery = z.object({
  metricIds: IdList.optional().meta({
    description: 'Metric ids (comma-separated); default: every metric the runs used',
  }),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Runs created at or after this time' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Runs created before this time' }),
  source: RunSource.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100).meta({ description: 'Completed runs per page, 1–500' }),
  cursor: z.string().max(2_000).optional(),
});
export type RunHistoryQuery = z.infer<typeof RunHistoryQuery>;

export const RunHistoryPoint = z.object({
  runId: Id,
  runName: z.string().nullable(),
  createdAt: z.string(),
  metricVersionId: Id,
  value: z.number().nullable().meta({ description: 'Pass rate (0–1) for boolean metrics, mean for int and float' }),
  passed: z.number().int(),
  failed: z.number().int(),
  n: z.number().int(),
  systemVersion: SystemVersionSummary.nullable(),
});
export type RunHistoryPoint = z.infer<typeof RunHistoryPoint>;

export const MetricHistory = z.object({
  metricId: Id,
  name: z.string(),
  outputType: OutputType,
  points: z.array(RunHistoryPoint).meta({ description: 'One point per completed run, oldest first' }),
});
export type MetricHistory = z.infer<typeof MetricHistory>;

export const RunHistory = z
  .object({
    metrics: z.array(MetricHistory),
    nextCursor: z.string().nullable().meta({ description: 'Older runs continue from here' }),
    hasMore: z.boolean(),
  })
  .meta({ id: 'RunHistory' });
export type RunHistory = z.infer<typeof RunHistory>;
