import type { HeuristicConfig, HeuristicKind } from '../../schemas/heuristic.js';
import { cost, latency, length } from './bounds.js';
import { contains } from './contains.js';
import { exactMatch } from './exact-match.js';
import { jsonSchema, jsonValid } from './json.js';
import { levenshtein } from './levenshtein.js';
import { numericTolerance } from './numeric-tolerance.js';
import { regex } from './regex.js';
import type { HeuristicResult, HeuristicSubject } from './types.js';

export type HeuristicFn = (subject: HeuristicSubject, config: HeuristicConfig) => HeuristicResult;

/** Every kind must have an entry: the Record type makes a missing one a compile error. */
export const HEURISTICS: Readonly<Record<HeuristicKind, HeuristicFn>> = {
  exact_match: exactMatch,
  contains,
  regex,
  json_valid: jsonValid,
  json_schema: jsonSchema,
  levenshtein,
  numeric_tolerance: numericTolerance,
  length,
  latency,
  cost,
};

/**
 * Scores one subject. `config` should come from `HeuristicConfig.parse`; data problems (missing fields,
 * unparsable output, NaN) come back as a failed result with reasoning rather than an exception.
 */
export function runHeuristic(config: HeuristicConfig, subject: HeuristicSubject): HeuristicResult {
  const heuristic = HEURISTICS[config.kind];
  if (heuristic === undefined)
    return { score: false, passed: false, reasoning: `unknown heuristic kind "${config.kind}"` };
  return heuristic(subject, config);
}

export { clearCompileCaches, compileCacheSizes, MAX_COMPILED_ENTRIES } from '../../syntax/compile-cache.js';
