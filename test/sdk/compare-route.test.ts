import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerdictApiError } from '../../sdk/index.js';
import { fieldPaths } from '../support/stack.js';
import { caseNumber, startSdkStack } from './support.js';

let env: Awaited<ReturnType<typeof startSdkStack>>;
let seeded: Awaited<ReturnType<Awaited<ReturnType<typeof startSdkStack>>['seed']>>;
const runs: Record<'base' | 'worse' | 'oneOff', string> = { base: '', worse: '', oneOff: '' };
const N = 40;
/** The testcases the "worse" system gets wrong: a real 20-point drop. */
const WORSE = new Set(Array.from({ length: N }, (_, i) => i).filter((i) => i % 5 === 0));
/** The one testcase the "oneOff" system gets wrong: a drop too small to tell from noise. */
const ONE_OFF = 27;

async function evaluate(wrong: (n: number) => boolean) {
  const { runId } = await env.client.runAndEvaluate({
    projectId: seeded.projectId,
    testsetId: seeded.testsetId,
    metricIds: [seeded.metricId],
    concurrency: 20,
    system: (inputs) => {
      const n = caseNumber(inputs);
      return wrong(n) ? 'no idea' : `answer-${n}`;
    },
  });
  await env.client.waitForRun(runId, { pollMs: 100 });
  return runId;
}

beforeAll(async () => {
  env = await startSdkStack();
  seeded = await env.seed(N);
  runs.base = await evaluate(() => false);
  runs.worse = await evaluate((n) => WORSE.has(n));
  runs.oneOff = await evaluate((n) => n === ONE_OFF);
});
afterAll(() => env?.stack.stop());

const testcaseNumbers = async (ids: string[]) =>
  (await Promise.all(ids.map((id) => env.client.testcases.get(id))))
    .map((t) => caseNumber(t.inputs))
    .sort((a, b) => a - b);

describe('GET /runs/{id}/compare', () => {
  it('names exactly the regressed testcases and calls a consistent 20-point drop real', async () => {
    const comparison = await env.client.runs.compare(runs.worse, runs.base);
    const exact = comparison.metrics[0]!;
    expect(comparison).toMatchObject({ runId: runs.worse, baselineRunId: runs.base, paired: N, confidence: 0.95 });
    expect(comparison.unpaired).toEqual({ baselineOnly: 0, candidateOnly: 0, records: [] });
    expect(exact).toMatchObject({ metricId: seeded.metricId, name: 'Exact answer', statistic: 'passRate', n: N });
    expect(exact).toMatchObject({ baseline: 1, numRegressions: WORSE.size, numImprovements: 0, change: 'regression' });
    expect(exact.difference).toBeCloseTo(-WORSE.size / N);
    expect(exact.interval!.upper).toBeLessThan(0);
    expect(await testcaseNumbers(exact.regressions.map((r) => r.testcaseId))).toEqual([...WORSE]);
  });

  it('reports a one-testcase drop, but with an interval that includes 0', async () => {
    const exact = (await env.client.runs.compare(runs.oneOff, runs.base)).metrics[0]!;
    expect(exact.numRegressions).toBe(1);
    expect(await testcaseNumbers(exact.regressions.map((r) => r.testcaseId))).toEqual([ONE_OFF]);
    expect(exact.interval!.lower).toBeLessThan(0);
    expect(exact.interval!.upper).toBeGreaterThanOrEqual(0);
    expect(exact.change).toBe('none');
  });

  it('sees the same pairs the other way round as improvements', async () => {
    const exact = (await env.client.runs.compare(runs.base, runs.worse)).metrics[0]!;
    expect(exact).toMatchObject({ numImprovements: WORSE.size, numRegressions: 0, change: 'improvement' });
  });

  it('answers 400 without a baseline or across projects, 404 for an unknown one, and is in the OpenAPI document', async () => {
    expect(fieldPaths((await env.api.get(`/runs/${runs.base}/compare`)).body)[0]).toBe('query.baseline');
    const unknown = await env.client.runs.compare(runs.base, '01jzzzzzzzzzzzzzzzzzzzzzzz').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(VerdictApiError);
    expect(unknown).toMatchObject({ status: 404, code: 'not_found' });
    const other = await env.seed(1);
    const { runId } = await env.client.runAndEvaluate({
      projectId: other.projectId,
      testsetId: other.testsetId,
      metricIds: [other.metricId],
      system: () => 'x',
    });
    expect(await env.client.runs.compare(runId, runs.base).catch((e: unknown) => e)).toMatchObject({
      status: 400,
      issues: [{ path: 'query.baseline' }],
    });
    const doc = (await env.api.get('/openapi.json')).body;
    expect(doc.paths['/runs/{runId}/compare'].get.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['runId', 'baseline']),
    );
  });
});
