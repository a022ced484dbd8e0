import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetric, seedTestset } from '../pipeline/support.js';
import { type ApiClient, apiClient, collectPages, fieldPaths, startTestStack, waitForRun } from '../support/stack.js';

/**
 * Issue 13 point 1: a rescore re-judges only the metrics it names, keeps every other metric's scores on the
 * run, adds new ones, keeps the replaced pass readable, and refuses (4xx, nothing touched) what cannot work.
 * The stack has no LLM configured, as in the observed report.
 */
describe('rescoring a finished run', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let api: ApiClient;
  let projectId: string;
  let runId: string;
  let before: any;
  const m = {} as Record<'exact' | 'shape' | 'zero' | 'one' | 'judge', { id: string; versionId: string }>;

  beforeAll(async () => {
    stack = await startTestStack({ pipeline: { openaiApiKey: '' }, monitors: false });
    api = apiClient(stack.url, stack.apiKey);
    const seeded = await seedTestset(api, 4);
    projectId = seeded.projectId;
    const heuristic = (name: string, heuristic: Record<string, unknown>) =>
      createMetric(api, projectId, { name, evalType: 'heuristic', outputType: 'boolean', heuristic });
    m.exact = await heuristic('exact', { kind: 'exact_match', expectedField: 'answer' });
    m.shape = await heuristic('shape', { kind: 'regex', pattern: '^answer-\\d+$' });
    m.zero = await heuristic('mentions zero', { kind: 'contains', values: ['0'] });
    m.one = await heuristic('mentions one', { kind: 'contains', values: ['1'] });
    m.judge = await createMetric(api, projectId, {
      name: 'quality',
      evalType: 'ai',
      outputType: 'boolean',
      evalModelName: 'judge',
    });
    // An external run: the records are posted, and the run completes by itself once all four are in.
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId: seeded.testsetId,
      metricIds: [m.exact.id, m.shape.id, m.zero.id],
    });
    runId = created.body.id;
    const testcases = await collectPages<any>(api, `/testsets/${seeded.testsetId}/testcases`);
    for (const [i, tc] of testcases.entries()) {
      const response = i === 3 ? 'wrong' : tc.expected.answer;
      expect(
        (
          await api.post(`/runs/${runId}/records`, {
            testcaseId: tc.id,
            inputs: tc.inputs,
            expected: tc.expected,
            outputs: { response },
          })
        ).status,
      ).toBe(201);
    }
    before = await waitForRun(api, runId);
    expect(before.status).toBe('completed');
    expect(before.aggregates[m.exact.versionId]).toMatchObject({ n: 4, passed: 3, passRate: 0.75 });
  }, 120_000);

  afterAll(async () => stack?.stop());

  it('refuses a rescore that needs an LLM when none is configured, touching nothing', async () => {
    const res = await api.post(`/runs/${runId}/rescore`, { metricIds: [m.shape.id, m.judge.id] });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('llm_not_configured');
    expect(fieldPaths(res.body)).toEqual(['metricIds.1']);
    expect((await api.get(`/runs/${runId}`)).body).toEqual(before);
  });

  it('refuses a metric of another project, touching nothing', async () => {
    const other = await seedTestset(api, 1);
    const foreign = await createMetric(api, other.projectId, {
      name: 'elsewhere',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'regex', pattern: 'x' },
    });
    const res = await api.post(`/runs/${runId}/rescore`, { metricIds: [foreign.id] });
    expect(res.status).toBe(404);
    expect(fieldPaths(res.body)).toEqual(['metricIds.0']);
    expect((await api.get(`/runs/${runId}`)).body).toEqual(before);
  });

  it('re-judges only the named metrics, keeps the others, adds new ones and keeps the old pass readable', async () => {
    const res = await api.post(`/runs/${runId}/rescore`, { metricIds: [m.zero.id, m.one.id] });
    expect(res.status).toBe(200);
    const after = await waitForRun(api, runId);
    expect(after.status).toBe('completed');
    expect(after.generation).toBe(1);
    expect(after.metricIds).toEqual([m.exact.id, m.shape.id, m.zero.id, m.one.id]);
    expect(after.rescoredMetricVersionIds).toEqual([m.zero.versionId, m.one.versionId]);
    // The metrics not named keep their aggregates and counters exactly.
    for (const kept of [m.exact, m.shape]) {
      expect(after.aggregates[kept.versionId]).toEqual(before.aggregates[kept.versionId]);
      expect(after.statusExplanation[kept.versionId]).toEqual(before.statusExplanation[kept.versionId]);
    }
    // 'answer-0' and 'wrong' (testcase 3): only one response mentions 0; 'answer-1' alone mentions 1.
    expect(after.aggregates[m.zero.versionId]).toMatchObject({ n: 4, passed: 1 });
    expect(after.aggregates[m.one.versionId]).toMatchObject({ n: 4, passed: 1 });
    expect(after.statusExplanation[m.one.versionId]).toEqual({ scored: 4, errored: 0, total: 4 });
    const records = await collectPages<any>(api, `/runs/${runId}/records`);
    expect(records.map((r) => r.scores.length)).toEqual([4, 4, 4, 4]);

    const history = await api.get(`/runs/${runId}/scoring-history`);
    expect(history.status).toBe(200);
    expect(history.body.generations.map((g: any) => g.generation)).toEqual([0, 1]);
    expect(history.body.generations[0]).toMatchObject({
      metricIds: before.metricIds,
      rescoredMetricVersionIds: null,
      status: 'completed',
      aggregates: before.aggregates,
    });
    expect(history.body.generations[1]).toMatchObject({ status: 'completed', aggregates: after.aggregates });

    // The run history chart reads the latest pass: it now has the added metric.
    const chart = await api.get(`/projects/${projectId}/run-history`);
    expect(chart.status).toBe(200);
    expect(JSON.stringify(chart.body)).toContain(m.one.versionId);
  }, 120_000);
});
