import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAgent, type FakeLLM, startFakeAgent, startFakeLLM } from '../support/fake-llm.js';
import { type ApiClient, apiClient, collectPages, startTestStack, waitForRun } from '../support/stack.js';
import { createMetric, createSystemVersion, EXACT_METRIC, questionNumber, seedTestset } from './support.js';

/**
 * What a tenant's system or a judge returns at run time is as hostile as any request body: numbers DynamoDB
 * cannot hold, nesting that overflows the stack, usage figures no provider would send. None may stop a run:
 * each is stored and read back as it was, or becomes an errored record (or score) that says what was wrong.
 */
const nestedText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** The agent's reply per testcase number, as raw JSON text (JSON.stringify could not write most of them). */
const REPLIES: Record<number, string> = {
  0: '{"value": 1e300}',
  1: '{"value": 1152921504606846976}',
  2: '{"value": 1e-300}',
  3: nestedText(5_000),
  4: '{"value": -1e300, "list": [9007199254740993]}',
  5: '{"value": "answer-5"}',
};

let llm: FakeLLM;
let agent: FakeAgent;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;

beforeAll(async () => {
  llm = await startFakeLLM({
    responder: (body) => {
      // A judge whose float score is too small to store, and a system whose provider reports absurd usage.
      if (body.model === 'judge-tiny') return { content: '{"reasoning": "barely", "score": 1e-300}' };
      const odd = questionNumber(body.messages.map((m) => m.content).join('\n')) === 0;
      return { content: 'hello', usage: { prompt_tokens: odd ? 1e300 : 10, completion_tokens: 1 } };
    },
  });
  agent = await startFakeAgent({
    responder: (request) => ({
      headers: { 'content-type': 'application/json' },
      body: REPLIES[questionNumber(request.body)] ?? '{}',
    }),
  });
  stack = await startTestStack({
    pipeline: { openaiApiKey: 'test-key', openaiBaseURL: `${llm.url}/v1`, retry: { baseDelayMs: 5, maxDelayMs: 40 } },
  });
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(async () => {
  await stack?.stop();
  await llm?.close();
  await agent?.close();
});

describe('hostile replies at run time', () => {
  it('an http agent replying 1e300, 2^60, 1e-300 or 5,000 levels of JSON: the run completes', async () => {
    const { projectId, testsetId } = await seedTestset(api, 6);
    const versionId = await createSystemVersion(api, projectId, 'agent', { type: 'http', url: `${agent.url}/chat` });
    const exact = await createMetric(api, projectId, EXACT_METRIC);
    const tiny = await createMetric(api, projectId, {
      name: 'tiny',
      evalType: 'ai',
      outputType: 'float',
      evalModelName: 'judge-tiny',
    });
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [exact.id, tiny.id],
    });
    expect(created.status).toBe(201);

    const run = await waitForRun(api, created.body.id);
    expect(run).toMatchObject({ status: 'completed', numRecords: 6, numExecuted: 6, numErroredRecords: 1 });
    const records = await collectPages<any>(api, `/runs/${run.id}/records`);
    const byNumber = new Map(records.map((r) => [questionNumber(r.inputs.question), r]));
    // Read back through the API as the very numbers JSON.parse makes of the replies.
    for (const n of [0, 1, 2, 4, 5]) {
      expect(byNumber.get(n), `question ${n}`).toMatchObject({
        status: 'completed',
        outputs: { response: JSON.parse(REPLIES[n]!) },
      });
    }
    expect(byNumber.get(1)!.outputs.response.value).toBe(2 ** 60);
    expect(byNumber.get(4)!.outputs.response.list).toEqual([2 ** 53]);
    expect(byNumber.get(3)).toMatchObject({ status: 'errored', outputs: {} });
    expect(byNumber.get(3)!.error).toMatch(/^the reply of agent at .* nests objects and arrays deeper than 64 levels/);

    // The judge's 1e-300 is an errored score naming the value, on every record it scored; exact_match scored all.
    const tinyScores = records.flatMap((r) => r.scores.filter((s: any) => s.metricConfigId === tiny.versionId));
    expect(tinyScores).toHaveLength(5);
    for (const s of tinyScores)
      expect(s).toMatchObject({ status: 'errored', error: expect.stringContaining('1e-300') });
    expect(run.statusExplanation[tiny.versionId]).toMatchObject({ scored: 0, errored: 5 });
    expect(run.statusExplanation[exact.versionId]).toMatchObject({ scored: 5, errored: 0 });
  });

  it('a provider reporting 1e300 prompt tokens: that record is errored and says so, the run completes', async () => {
    const { projectId, testsetId } = await seedTestset(api, 2);
    const versionId = await createSystemVersion(api, projectId, 'chat', {
      type: 'openai_chat',
      model: 'odd-usage',
      messages: [{ role: 'user', content: '{{ question }}' }],
    });
    const created = await api.post(`/projects/${projectId}/runs`, { testsetId, systemVersionId: versionId });
    const run = await waitForRun(api, created.body.id);
    expect(run).toMatchObject({ status: 'completed', numRecords: 2, numErroredRecords: 1 });
    const records = await collectPages<any>(api, `/runs/${run.id}/records`);
    const odd = records.find((r) => questionNumber(r.inputs.question) === 0);
    expect(odd).toMatchObject({ status: 'errored', usage: null, costUsd: null });
    expect(odd.error).toMatch(/^the system reported usage\.promptTokens 1e\+300 must be 0 or a number/);
    expect(records.find((r) => questionNumber(r.inputs.question) === 1)).toMatchObject({
      status: 'completed',
      outputs: { response: 'hello' },
      usage: { promptTokens: 10, completionTokens: 1 },
    });
  });
});
