import * as z from 'zod';
import { Id } from './common.js';

export const CompareQuery = z.object({
  baseline: Id.meta({ description: 'The run to compare against (same project)' }),
});

/** One testcase (and trial) whose score moved between the baseline and this run. */
export const PairChange = z.object({
  testcaseId: Id,
  trial: z.number().int(),
  baseline: z.number(),
  candidate: z.number(),
  baselineRecordId: Id,
  recordId: Id,
});
export type PairChange = z.infer<typeof PairChange>;

export const UnpairedRecord = z.object({ recordId: Id, testcaseId: Id.nullable(), trial: z.number().int() });
export type UnpairedRecord = z.infer<typeof UnpairedRecord>;

export const MetricComparison = z.object({
  metricId: Id,
  name: z.string(),
  outputType: z.enum(['boolean', 'int', 'float']),
  statistic: z.enum(['passRate', 'mean']).meta({ description: 'passRate for boolean metrics, mean for int/float' }),
  n: z.number().int().meta({ description: 'Pairs where both runs have a completed score for this metric' }),
  unscored: z.number().int().meta({ description: 'Pairs left out because one side has no completed score' }),
  baseline: z.number().nullable().meta({ description: 'The statistic over the pairs, in the baseline run' }),
  candidate: z.number().nullable().meta({ description: 'The statistic over the pairs, in this run' }),
  difference: z.number().nullable().meta({ description: 'candidate − baseline: negative is worse' }),
  interval: z
    .object({ lower: z.number(), upper: z.number() })
    .nullable()
    .meta({ description: 'Paired-bootstrap confidence interval of the difference' }),
  change: z.enum(['regression', 'improvement', 'none']).meta({
    description: 'regression when the whole interval is below 0, improvement when above, none otherwise',
  }),
  numRegressions: z.number().int(),
  numImprovements: z.number().int(),
  regressions: z.array(PairChange).meta({ description: 'Pairs whose value went down (at most 1,000)' }),
  improvements: z.array(PairChange).meta({ description: 'Pairs whose value went up (at most 1,000)' }),
});
export type MetricComparison = z.infer<typeof MetricComparison>;

export const RunComparison = z
  .object({
    runId: Id,
    baselineRunId: Id,
    confidence: z.number(),
    resamples: z.number().int(),
    seed: z.number().int(),
    paired: z.number().int().meta({ description: 'Records matched by (testcaseId, trial) in both runs' }),
    unpaired: z.object({
      baselineOnly: z.number().int(),
      candidateOnly: z.number().int(),
      records: z
        .array(UnpairedRecord.extend({ run: z.enum(['baseline', 'candidate']) }))
        .meta({ description: 'Records without a partner: no testcase, no match, or a duplicate (at most 1,000)' }),
    }),
    metrics: z.array(MetricComparison),
    unmatchedMetrics: z.object({
      baselineOnly: z.array(Id),
      candidateOnly: z.array(Id),
    }),
  })
  .meta({ id: 'RunComparison' });
export type RunComparison = z.infer<typeof RunComparison>;
