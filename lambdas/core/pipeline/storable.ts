import { depthProblem } from '../json-depth.js';
import { storedNumberProblem } from '../schemas/common.js';
import type { ScoreValue, Usage } from '../schemas/record.js';

interface Measured {
  latencyMs?: number | null;
  usage?: Usage | null;
  costUsd?: number | null;
}

/** Why a measurement from a system or a judge cannot go into its typed field (a provider's odd usage). */
function measurementProblem(m: Measured): string | null {
  return (
    storedNumberProblem('latencyMs', m.latencyMs) ??
    storedNumberProblem('usage.promptTokens', m.usage?.promptTokens) ??
    storedNumberProblem('usage.completionTokens', m.usage?.completionTokens) ??
    storedNumberProblem('costUsd', m.costUsd)
  );
}

/**
 * Why what a system returned cannot be kept as a record, or null. Any number in the outputs is fine (they are
 * stored as JSON text); nesting past the API's depth limit is not, nor a typed field out of range.
 */
export function systemResultProblem(result: Measured & { outputs: Record<string, unknown> }): string | null {
  const deep = depthProblem(result.outputs, 'outputs');
  if (deep) return `the system's output ${deep}`;
  const problem = measurementProblem(result);
  return problem ? `the system reported ${problem}` : null;
}

/** Why a metric's result cannot be kept as a score, or null. */
export function scoreResultProblem(result: Measured & { value: ScoreValue }): string | null {
  const problem =
    storedNumberProblem('score.floatScore', result.value.floatScore) ??
    storedNumberProblem('score.intScore', result.value.intScore) ??
    measurementProblem(result);
  return problem ? `the metric produced ${problem}` : null;
}
