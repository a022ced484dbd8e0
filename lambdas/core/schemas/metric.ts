import * as z from 'zod';
import { Id, Name, StoredNumber } from './common.js';
import { HeuristicConfig } from './heuristic.js';

export const EvalType = z.enum(['ai', 'heuristic', 'human']);
export const OutputType = z.enum(['boolean', 'int', 'float']);
export type EvalType = z.infer<typeof EvalType>;
export type OutputType = z.infer<typeof OutputType>;

export const DEFAULT_EVAL_MODEL = 'gpt-4o';
export const DEFAULT_PROMPT_TEMPLATE = [
  'You are an impartial evaluator of an AI system.',
  '{{ gradingInstructionsAndExamples }}',
  '',
  'Inputs:',
  '{{ inputs | dump }}',
  '',
  'Expected outputs:',
  '{{ expected | dump }}',
  '',
  'Actual outputs:',
  '{{ outputs | dump }}',
].join('\n');

/** Fields a client may send when creating a metric; what is absent gets its variant's default. */
const MetricFields = {
  name: Name,
  description: z.string().max(10_000).optional(),
  guidelines: z.string().max(50_000).optional(),
  promptTemplate: z.string().max(100_000).optional(),
  evalModelName: z.string().min(1).max(200).optional(),
  temperature: StoredNumber.min(0).max(2).optional(),
  passingThreshold: StoredNumber.optional(),
  heuristic: HeuristicConfig.optional(),
};

function checkVariant(
  m: { evalType: EvalType; outputType: OutputType; passingThreshold?: number; heuristic?: unknown },
  ctx: z.RefinementCtx,
) {
  const t = m.passingThreshold;
  if (t !== undefined && m.outputType === 'int' && !(Number.isInteger(t) && t >= 1 && t <= 5)) {
    ctx.addIssue({
      code: 'custom',
      path: ['passingThreshold'],
      message: 'must be an integer from 1 to 5 for int metrics',
    });
  }
  if (t !== undefined && m.outputType === 'float' && !(t >= 0 && t <= 1)) {
    ctx.addIssue({ code: 'custom', path: ['passingThreshold'], message: 'must be between 0 and 1 for float metrics' });
  }
  if (m.evalType === 'heuristic' && !m.heuristic) {
    ctx.addIssue({ code: 'custom', path: ['heuristic'], message: 'is required when evalType is "heuristic"' });
  }
}

export const CreateMetric = z
  .object({ ...MetricFields, evalType: EvalType, outputType: OutputType })
  .superRefine(checkVariant)
  .meta({ id: 'CreateMetric' });
export type CreateMetric = z.infer<typeof CreateMetric>;

export const UpdateMetric = z
  .object({
    ...MetricFields,
    name: Name.optional(),
    evalType: EvalType,
    outputType: OutputType,
  })
  .superRefine(checkVariant)
  .meta({ id: 'UpdateMetric' });
export type UpdateMetric = z.infer<typeof UpdateMetric>;

/** The stored, fully-defaulted definition of one metric version. */
export const MetricDefinition = z.object({
  name: z.string(),
  description: z.string(),
  evalType: EvalType,
  outputType: OutputType,
  guidelines: z.string(),
  promptTemplate: z.string().optional(),
  evalModelName: z.string().optional(),
  temperature: z.number().optional(),
  passingThreshold: z.number().optional(),
  heuristic: HeuristicConfig.optional(),
});
export type MetricDefinition = z.infer<typeof MetricDefinition>;

export const Metric = MetricDefinition.extend({
  id: Id,
  projectId: Id,
  versionId: Id.meta({ description: 'Current metric version (Scorecard: metricConfigId)' }),
}).meta({ id: 'Metric' });
export type Metric = z.infer<typeof Metric>;

/** Fills in every field of the metric's variant, as Scorecard's responses do. */
export function defineMetric(input: CreateMetric): MetricDefinition {
  const def: MetricDefinition = {
    name: input.name,
    description: input.description ?? '',
    evalType: input.evalType,
    outputType: input.outputType,
    guidelines: input.guidelines ?? '',
  };
  if (input.evalType === 'ai') {
    def.promptTemplate = input.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE;
    def.evalModelName = input.evalModelName ?? DEFAULT_EVAL_MODEL;
    def.temperature = input.temperature ?? 0;
  }
  if (input.evalType === 'heuristic') def.heuristic = input.heuristic;
  if (input.outputType === 'int') def.passingThreshold = input.passingThreshold ?? 4;
  if (input.outputType === 'float') def.passingThreshold = input.passingThreshold ?? 0.9;
  return def;
}
