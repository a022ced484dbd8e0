import { createHash } from 'node:crypto';
import type { RunRepository, Scope } from '../ports.js';
import type { CreateRecord } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import { canonicalJson } from '../services/systems.js';

/**
 * The testcase a posted record repeats: its id, or for an inline testcase (Scorecard's runAndEvaluate with
 * `testcases`, which sends no id) its inputs and expected outputs.
 */
export function trialKey(input: Pick<CreateRecord, 'testcaseId' | 'inputs' | 'expected'>): string {
  if (input.testcaseId) return `testcase#${input.testcaseId}`;
  const content = canonicalJson({ inputs: input.inputs, expected: input.expected });
  return `inline#${createHash('sha256').update(content).digest('hex')}`;
}

/**
 * Trial numbers for records in arrival order. A client that runs each testcase several times without saying
 * which trial a record is (Scorecard's SDK with `trials: 3`) gets them numbered as they arrive: a testcase's
 * first record is trial 0, its second trial 1, and so on, counted per run in the store so every API process
 * agrees. Records that carry `trial` keep it and are not counted.
 */
export async function numberTrials(
  runs: Pick<RunRepository, 'countTrials'>,
  scope: Scope,
  run: Pick<Run, 'id' | 'numExpectedRecords'>,
  inputs: CreateRecord[],
): Promise<number[]> {
  const keys = inputs.map((input) => (input.trial === undefined ? trialKey(input) : null));
  const arrivals = new Map<string, number>();
  for (const key of keys) if (key) arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
  if (arrivals.size === 0) return inputs.map((input) => input.trial ?? 0);
  // The size hint must not change during the run (it places the counters): numExpectedRecords is set once.
  const totals = await runs.countTrials(scope, run.id, arrivals, run.numExpectedRecords);
  // Each key's first trial in this batch is its total before the batch.
  const next = new Map([...arrivals].map(([key, n]) => [key, (totals.get(key) ?? n) - n]));
  return inputs.map((input, i) => {
    const key = keys[i];
    if (!key) return input.trial ?? 0;
    const trial = next.get(key)!;
    next.set(key, trial + 1);
    return trial;
  });
}
