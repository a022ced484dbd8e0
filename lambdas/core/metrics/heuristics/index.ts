export { HEURISTIC_KINDS, HeuristicConfig, type HeuristicConfigInput, HeuristicKind } from '../../schemas/heuristic.js';
export { BoundedCache, type Compiled, compileJsonSchema, compileRegex } from '../../syntax/compile-cache.js';
export { DEFAULT_SIMILARITY_THRESHOLD, MAX_DISTANCE_CELLS, similarity } from './levenshtein.js';
export {
  clearCompileCaches,
  compileCacheSizes,
  HEURISTICS,
  type HeuristicFn,
  MAX_COMPILED_ENTRIES,
  runHeuristic,
} from './registry.js';
export type { HeuristicResult, HeuristicSubject } from './types.js';
