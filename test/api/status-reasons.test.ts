import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_SYSTEM, createMetric, createSystemVersion, EXACT_METRIC, seedTestset } from '../pipeline/support.js';
import { type FakeAgent, startFakeAgent } from '../support/fake-llm.js';
import { type ApiClient, apiClient, collectPages, startTestStack, waitForRun } from '../support/stack.js';

/**
 * Issue 13 points 3 and 4: a status says why. A failed run carries its first fatal error; a metric whose every
 * score errored is flagged, not hidden in a green run; testcases stored with validation errors are not run.
 * The stack has no LLM configured.
 */
describe('a run status says why', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let api: ApiClient;
  let agent: FakeAgent;

  beforeAll(async () => {
    stack = await startTestStack({ pipeline: { openaiApiKey: '' }, monitors: false });
    api = apiClient(stack.url, stack.apiKey);
    agent = await startFakeAgent({ responder: () => ({ body: { reply: 'answer-0' } }) });
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await stack?.stop();
  });

  it('a failed run carries the first fatal error in failureReason and statusReason', async () => {
    const { projectId, testsetId } = await seedTestset(api, 3);
    const versionId = await createSystemVersion(api, projectId, 'chat', CHAT_SYSTEM);
    const exact = await createMetric(api, projectId, EXACT_METRIC);
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [exact.id],
    });
    const run = await waitForRun(api, created.body.id);
    expect(run.status).toBe('failed');
    expect(run.failureReason).toMatch(/no LLM configured/);
    expect(run.statusReason).toMatch(/^failed: .*no LLM configured/);
  });

  it('flags a metric whose every score errored, in the explanation and the aggregates', async () => {
    const { projectId, testsetId } = await seedTestset(api, 2);
    const exact = await createMetric(api, projectId, EXACT_METRIC);
    const judge = await createMetric(api, projectId, {
      name: 'quality',
      evalType: 'ai',
      outputType: 'boolean',
      evalModelName: 'judge',
    });
    const created = await api.post(`/projects/${projectId}/runs`, { testsetId, metricIds: [exact.id, judge.id] });
    for (const tc of await collectPages<any>(api, `/testsets/${testsetId}/testcases`)) {
      const body = { testcaseId: tc.id, inputs: tc.inputs, expected: tc.expected, outputs: { response: 'x' } };
      expect((await api.post(`/runs/${created.body.id}/records`, body)).status).toBe(201);
    }
    const run = await waitForRun(api, created.body.id);
    expect(run.status).toBe('completed');
    expect(run.statusExplanation[judge.versionId]).toMatchObject({ scored: 0, errored: 2, allErrored: true });
    expect(run.statusExplanation[exact.versionId].allErrored).toBeUndefined();
    expect(run.aggregates[judge.versionId]).toMatchObject({ n: 0, errored: 2, allErrored: true });
    expect(run.aggregates[exact.versionId].allErrored).toBeUndefined();
    expect(run.statusReason).toMatch(/metric quality gave no result: every score errored \(no LLM configured/);
  });

  it('does not run testcases stored with validation errors: their records say why, and are counted', async () => {
    const project = (await api.post('/projects', { name: 'validated' })).body;
    const testset = (
      await api.post(`/projects/${project.id}/testsets`, {
        name: 'qa',
        jsonSchema: { type: 'object', required: ['question'], properties: { question: { type: 'string' } } },
        fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
      })
    ).body;
    const items = [
      { jsonData: { question: 'question 0', answer: 'answer-0' } },
      { jsonData: { answer: 'answer-1' } },
      { jsonData: { question: 'question 2', answer: 'answer-2' } },
    ];
    expect((await api.post(`/testsets/${testset.id}/testcases`, { items })).status).toBeLessThan(300);
    const calls = agent.requests.length;
    const versionId = await createSystemVersion(api, project.id, 'agent', {
      type: 'http',
      url: `${agent.url}/chat`,
      body: '{"prompt": {{ question | dump }}}',
      outputPath: '$.reply',
    });
    const exact = await createMetric(api, project.id, EXACT_METRIC);
    const created = await api.post(`/projects/${project.id}/runs`, {
      testsetId: testset.id,
      systemVersionId: versionId,
      metricIds: [exact.id],
    });
    const run = await waitForRun(api, created.body.id);
    expect(run).toMatchObject({ status: 'completed', numRecords: 3, numErroredRecords: 1, numInvalidRecords: 1 });
    expect(agent.requests.length - calls).toBe(2);
    const records = await collectPages<any>(api, `/runs/${created.body.id}/records`);
    const invalid = records.filter((r) => r.status === 'errored');
    expect(invalid).toHaveLength(1);
    expect(invalid[0].error).toMatch(/failed validation, so it was not run: .*question/);
    expect(run.statusReason).toMatch(/1 of 3 records errored \(1 not run: testcase failed validation\)/);
  });
});
