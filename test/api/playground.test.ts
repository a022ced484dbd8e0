import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLLM, startFakeLLM } from '../support/fake-llm.js';
import { type ApiClient, apiClient, fieldPaths, startTestStack } from '../support/stack.js';

let llm: FakeLLM;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let projectId: string;
let testcaseId: string;
let versionId: string;

const prompt = {
  type: 'openai_chat',
  model: 'pg-model',
  temperature: 0.3,
  maxTokens: 50,
  messages: [{ role: 'user', content: 'Q: {{ question }}' }],
};

beforeAll(async () => {
  llm = await startFakeLLM({
    responder: (body) =>
      body.model === 'broken'
        ? { status: 400 }
        : { content: `echo ${body.messages.at(-1)!.content}`, usage: { prompt_tokens: 7, completion_tokens: 3 } },
  });
  stack = await startTestStack({ pipeline: { openaiApiKey: 'k', openaiBaseURL: `${llm.url}/v1` }, monitors: false });
  api = apiClient(stack.url, stack.apiKey);
  projectId = (await api.post('/projects', { name: 'playground' })).body.id;
  const testset = (
    await api.post(`/projects/${projectId}/testsets`, {
      name: 'qa',
      fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
    })
  ).body;
  const items = [{ jsonData: { question: 'two plus two?', answer: 'four' } }];
  testcaseId = (await api.post(`/testsets/${testset.id}/testcases`, { items })).body.items[0].id;
  versionId = (await api.post(`/projects/${projectId}/systems`, { name: 'bot', config: prompt })).body.productionVersion
    .id;
});
afterAll(async () => {
  await stack?.stop();
  await llm?.close();
});

describe('POST /projects/{projectId}/playground', () => {
  it('runs an edited prompt once on a testcase, with the LLM parameters, and stores nothing', async () => {
    const runsBefore = (await api.get(`/projects/${projectId}/runs`)).body.data.length;
    const res = await api.post(`/projects/${projectId}/playground`, { config: prompt, testcaseId });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'completed',
      inputs: { question: 'two plus two?' },
      expected: { answer: 'four' },
      outputs: { response: 'echo Q: two plus two?' },
      error: null,
      usage: { promptTokens: 7, completionTokens: 3 },
    });
    expect(res.body.latencyMs).toBeGreaterThanOrEqual(0);
    expect(llm.requests.at(-1)!.body).toMatchObject({ model: 'pg-model', temperature: 0.3, max_tokens: 50 });
    expect((await api.get(`/projects/${projectId}/runs`)).body.data.length).toBe(runsBefore);
  });

  it('runs a saved system version on typed inputs', async () => {
    const res = await api.post(`/projects/${projectId}/playground`, {
      systemVersionId: versionId,
      inputs: { question: 'why?' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', outputs: { response: 'echo Q: why?' }, expected: {} });
  });

  it('answers a failing system as errored with the reason, not as an API error', async () => {
    const broken = await api.post(`/projects/${projectId}/playground`, {
      config: { ...prompt, model: 'broken' },
      testcaseId,
    });
    expect(broken.status).toBe(200);
    expect(broken.body.status).toBe('errored');
    expect(broken.body.error).toMatch(/400/);

    const external = await api.post(`/projects/${projectId}/playground`, { config: { type: 'external' }, testcaseId });
    expect(external.body).toMatchObject({ status: 'errored', error: expect.stringContaining('external systems') });
  });

  it.each([
    [{ testcaseId }, 'config'],
    [{ config: prompt, systemVersionId: 'x', testcaseId }, 'config'],
    [{ config: prompt }, 'inputs'],
    [{ config: { type: 'openai_chat', messages: [] }, testcaseId }, 'config.model'],
  ])('rejects %j naming %s', async (body, field) => {
    const res = await api.post(`/projects/${projectId}/playground`, body);
    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)).toContain(field);
  });

  it("answers 404 for another project's testcase or version", async () => {
    const other = (await api.post('/projects', { name: 'other' })).body.id;
    const viaTestcase = await api.post(`/projects/${other}/playground`, { config: prompt, testcaseId });
    const viaVersion = await api.post(`/projects/${other}/playground`, { systemVersionId: versionId, inputs: {} });
    expect([viaTestcase.status, viaVersion.status]).toEqual([404, 404]);
    expect((await api.post('/projects/nope/playground', { config: prompt, inputs: {} })).status).toBe(404);
  });

  it('answers 503 where the deployment has no system runner', async () => {
    const bare = await startTestStack({ pipeline: false, monitors: false });
    try {
      const bareApi = apiClient(bare.url, bare.apiKey);
      const project = (await bareApi.post('/projects', { name: 'p' })).body.id;
      const res = await bareApi.post(`/projects/${project}/playground`, { config: prompt, inputs: {} });
      expect(res.status).toBe(503);
      expect(res.body.message).toContain('system runner');
    } finally {
      await bare.stop();
    }
  });
});
