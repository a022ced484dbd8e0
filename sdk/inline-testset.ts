import type { VerdictClient } from './client.js';
import { VerdictUsageError } from './errors.js';
import type { Json, Testset } from './types.js';

/** A testcase given in code: its inputs, what is expected, and anything else worth keeping. */
export interface InlineTestcase {
  inputs: Json;
  expected?: Json;
  metadata?: Json;
}

/**
 * Inline testcases become a real testset first: a run only completes itself when it knows how many records to
 * expect (testset size × trials), and paired comparisons need testcase ids. Field names are the union of the
 * given keys; a key may be an input or an expected field, not both.
 */
export async function createInlineTestset(
  client: VerdictClient,
  projectId: string,
  testcases: InlineTestcase[],
  name: string,
): Promise<Testset> {
  if (testcases.length === 0) throw new VerdictUsageError('testcases is empty: give at least one');
  const keys = (part: 'inputs' | 'expected' | 'metadata') => [
    ...new Set(testcases.flatMap((t) => Object.keys(t[part] ?? {}))),
  ];
  const inputs = keys('inputs');
  const expected = keys('expected');
  const metadata = keys('metadata').filter((k) => !inputs.includes(k) && !expected.includes(k));
  const clash = inputs.find((k) => expected.includes(k));
  if (clash) {
    throw new VerdictUsageError(
      `"${clash}" is both an input and an expected field of the inline testcases; rename one of them`,
    );
  }
  const testset = await client.testsets.create(projectId, {
    name,
    description: 'Created by runAndEvaluate from inline testcases',
    fieldMapping: { inputs, expected, metadata },
  });
  for (let start = 0; start < testcases.length; start += 100) {
    const items = testcases
      .slice(start, start + 100)
      .map((t) => ({ jsonData: { ...t.metadata, ...t.inputs, ...t.expected } }));
    await client.testcases.create(testset.id, items);
  }
  return { ...testset, numTestcases: testcases.length };
}
