import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { batchSizeFor, MAX_BATCHES } from '../../lambdas/core/pipeline/prepare-run.js';
import { RUN_EVALUATION_ASL_URL } from '../../local/stepfunctions/definition.js';
import { executionEvents, type Machine } from './support/history-events.js';

/** Step Functions' hard limit on one execution's history. */
const HISTORY_LIMIT = 25_000;
/** The state payload limit: PrepareRun's output (the Map's input) must fit. */
const PAYLOAD_LIMIT = 256 * 1024;

const asl = JSON.parse(readFileSync(RUN_EVALUATION_ASL_URL, 'utf8')) as Machine;
const SIZES = [1_000, 100_000, 1_000_000];

const batchesFor = (testcases: number) => Math.ceil(testcases / batchSizeFor(testcases));

/** The same machine with its Map inline (as it was before it was split into child executions). */
function inlineVariant(): Machine {
  const inline = structuredClone(asl);
  const body = inline.States.EvaluateBatches!.ItemProcessor as unknown as { ProcessorConfig: { Mode: string } };
  body.ProcessorConfig.Mode = 'INLINE';
  return inline;
}

describe('the run-evaluation history, computed from the ASL and the batch planner', () => {
  const rows = SIZES.map((testcases) => {
    const batches = batchesFor(testcases);
    const normal = executionEvents(asl, { worstCase: false, mapItems: batches });
    const worst = executionEvents(asl, { worstCase: true, mapItems: batches });
    const inline = executionEvents(inlineVariant(), { worstCase: true, mapItems: batches });
    return { testcases, batchSize: batchSizeFor(testcases), batches, normal, worst, inline };
  });

  it('prints the table', () => {
    const line = (cells: Array<string | number>) => cells.map((c) => String(c).padStart(14)).join(' ');
    console.log(
      [
        'Step Functions history events per execution (limit 25,000):',
        line(['testcases', 'batch size', 'batches', 'parent', 'parent worst', 'child', 'child worst', 'inline worst']),
        ...rows.map((r) =>
          line([
            r.testcases,
            r.batchSize,
            r.batches,
            r.normal.parent,
            r.worst.parent,
            r.normal.largestChild,
            r.worst.largestChild,
            r.inline.parent,
          ]),
        ),
      ].join('\n'),
    );
    expect(rows.map((r) => r.batches)).toEqual([20, 1_000, 1_000]);
  });

  it.each(SIZES)('keeps every execution of a %i-testcase run under 25,000 events, retries included', (testcases) => {
    const row = rows.find((r) => r.testcases === testcases)!;
    expect(row.worst.parent).toBeLessThanOrEqual(HISTORY_LIMIT);
    expect(row.worst.largestChild).toBeLessThanOrEqual(HISTORY_LIMIT);
  });

  it('counts what AWS records for a plain batch: 16 events, 6 per waitForTaskToken task', () => {
    // ExecutionStarted/Succeeded of the child execution, Choice 2, Execute 6, Score 6.
    const row = rows[0]!;
    expect(row.normal.largestChild).toBe(2 + 2 + 6 + 6);
    // Worst: Execute succeeds on its 5th attempt (3 transient + 1 timeout retries), Score fails its 5th, and
    // MarkBatchErrored succeeds on its 7th (6 retries): 2 + 2 + (2 + 4 × 5) × 2 + (2 + 3 × 7).
    expect(row.worst.largestChild).toBe(2 + 2 + 22 * 2 + 23);
    // ExecutionStarted, PrepareRun 5, the Map 4, FinalizeRun 5, ExecutionSucceeded.
    expect(row.normal.parent).toBe(1 + 5 + 4 + 5 + 1);
  });

  it('would not fit as an inline Map: the model sees the difference', () => {
    const worst = executionEvents(inlineVariant(), { worstCase: true, mapItems: MAX_BATCHES });
    expect(worst.parent).toBeGreaterThan(HISTORY_LIMIT);
    expect(executionEvents(inlineVariant(), { worstCase: false, mapItems: MAX_BATCHES }).parent).toBe(16_016);
  });

  it('hands the Map at most 1,000 batch items, far under the 256 KB payload limit', () => {
    const runId = '01kbq8y8m3q4m2t9b3e7h5c1za';
    const orgId = 'org-with-a-fairly-long-identifier-0001';
    const batches = Array.from({ length: batchesFor(1_000_000) }, (_, batch) => ({
      runId,
      orgId,
      batch,
      skipExecution: false,
    }));
    const output = { runId, orgId, mode: 'execute', skipExecution: false, maxConcurrency: 40, batches };
    expect(batches.length).toBeLessThanOrEqual(MAX_BATCHES);
    expect(Buffer.byteLength(JSON.stringify(output))).toBeLessThan(PAYLOAD_LIMIT / 2);
  });
});
