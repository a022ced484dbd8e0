/** What a heuristic metric scores: one record's outputs next to its expected values and run measurements. */
export interface HeuristicSubject {
  outputs: Record<string, unknown>;
  expected: Record<string, unknown>;
  inputs: Record<string, unknown>;
  latencyMs?: number | null;
  costUsd?: number | null;
}

/**
 * Outcome of one heuristic. `score` is boolean for pass/fail checks and a 0..1 float for similarity;
 * `reasoning` is written for a human reading the run report, so it names fields and values.
 */
export interface HeuristicResult {
  score: number | boolean;
  passed: boolean;
  reasoning: string;
}
