import type { MetricDefinition } from '../schemas/metric.js';
import type { ScoreValue } from '../schemas/record.js';

/** The numeric value of a score for its output type, or null when the score lacks it. */
export function scoreNumber(outputType: MetricDefinition['outputType'], score: ScoreValue): number | null {
  if (outputType === 'boolean') return typeof score.binaryScore === 'boolean' ? Number(score.binaryScore) : null;
  const value = outputType === 'int' ? score.intScore : score.floatScore;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Whether a score passes its metric: true for booleans, at or above the threshold for numbers. */
export function isPassing(
  definition: Pick<MetricDefinition, 'outputType' | 'passingThreshold'>,
  score: ScoreValue,
): boolean | null {
  const value = scoreNumber(definition.outputType, score);
  if (value === null) return null;
  if (definition.outputType === 'boolean') return value === 1;
  const threshold = definition.passingThreshold ?? (definition.outputType === 'int' ? 4 : 0.9);
  return value >= threshold;
}
