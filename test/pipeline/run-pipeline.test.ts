import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChatCompletionBody,
  type FakeAgent,
  type FakeLLM,
  startFakeAgent,
  startFakeLLM,
} from '../support/fake-llm.js';
import { type ApiClient, apiClient, collectPages, startTestStack, waitForRun } from '../support/stack.js';
import {
  CHAT_SYSTEM,
  createMetric,
  createSystemVersion,
  EXACT_METRIC,
  questionNumber,
  seedTestset,
} from './support.js';

/**
 * The fake LLM plays both the system under test (model gpt-4o-mini: answers "answer-n", but "wrong" for every
 * n ending in 3) and the judges: judge-bool passes even n, judge-int scores (n % 5) + 1, judge-verbose passes
 * with 1 MB of reasoning, judge-garbage answers prose.
 */
function respond(body: ChatCompletionBody) {
  const text = body.messages.map((m) => m.content).join('\n');
  const n = questionNumber(text);
  switch (body.model) {
    case 'gpt-4o-mini':
      return { content: n % 10 === 3 ? 'wrong' : `answer-${n}`, usage: { prompt_tokens: 10, completion_tokens: 2 } };
    case 'judge-bool':
      return { content: JSON.stringify({ reasoning: `n=${n}`, score: n % 2 === 0 }) };
    case 'judge-int':
      return { content: JSON.stringify({ reasoning: `n=${n}`, score: (n % 5) + 1 }) };
    case 'judge-verbose':
      // A valid verdict buried in 1 MB of reasoning: far more than a score item (or 50 of them) may hold.
      return { content: JSON.stringify({ reasoning: `n=${n} ${'because '.repeat(128 * 1024)}`, score: true }) };
    default:
      return { content: 'Looks good to me!' };
  }
}

let llm: FakeLLM;
let agent: FakeAgent;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
const failOnce = new Set<string>();

beforeAll(async () => {
  llm = await startFakeLLM({ responder: respond });
  agent = await startFakeAgent();
  stack = await startTestStack({
    pipeline: {
      openaiApiKey: 'test-key',
      openaiBaseURL: `${llm.url}/v1`,
      retry: { baseDelayMs: 5, maxDelayMs: 40 },
      hooks: {
        // A worker crash in the middle of a batch, on the first delivery only.
        beforeRecord(phase, record, attempt) {
          if (attempt === 1 && failOnce.delete(`${phase}:${String(record.inputs.question)}`))
            throw new Error('worker crashed mid-batch');
        },
      },
    },
  });
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(async () => {
  await stack?.stop();
  await llm?.close();
  await agent?.close();
});

const systemCalls = () => llm.requests.filter((r) => r.body.model === 'gpt-4o-mini').length;

describe('a run end to end on the local stack', () => {
  let projectId: string;
  let runId: string;
  let metrics: Record<string, { id: string; versionId: string }>;

  it('executes an openai_chat system on 50 testcases and scores them with 2 heuristic and 2 AI metrics', async () => {
    const seeded = await seedTestset(api, 50);
    projectId = seeded.projectId;
    const versionId = await createSystemVersion(api, projectId, 'chat', {
      type: 'openai_chat',
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Answer {{ question }}' }],
    });
    metrics = {
      exact: await createMetric(api, projectId, EXACT_METRIC),
      contains: await createMetric(api, projectId, {
        name: 'contains',
        evalType: 'heuristic',
        outputType: 'boolean',
        heuristic: { kind: 'contains', value: 'answer' },
      }),
      even: await createMetric(api, projectId, {
        name: 'even',
        evalType: 'ai',
        outputType: 'boolean',
        evalModelName: 'judge-bool',
      }),
      grade: await createMetric(api, projectId, {
        name: 'grade',
        evalType: 'ai',
        outputType: 'int',
        evalModelName: 'judge-int',
      }),
    };
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId: seeded.testsetId,
      systemVersionId: versionId,
      metricIds: Object.values(metrics).map((m) => m.id),
      maxConcurrency: 10,
      name: 'nightly',
    });
    expect(created.status).toBe(201);
    expect(created.body.numExpectedRecords).toBe(50);
    runId = created.body.id;

    const run = await waitForRun(api, runId);
    expect(run).toMatchObject({
      status: 'completed',
      numRecords: 50,
      numExecuted: 50,
      numErroredRecords: 0,
      numScores: 200,
    });
    const agg = run.aggregates;
    expect(agg[metrics.exact!.versionId]).toMatchObject({ n: 50, passed: 45, failed: 5, passRate: 0.9 });
    expect(agg[metrics.contains!.versionId]).toMatchObject({ name: 'contains', passRate: 0.9 });
    expect(agg[metrics.grade!.versionId]!.name).toBe('grade');
    expect(agg[metrics.even!.versionId]).toMatchObject({ passed: 25, failed: 25, passRate: 0.5, errored: 0 });
    expect(agg[metrics.grade!.versionId]).toMatchObject({
      mean: 3,
      median: 3,
      passed: 20,
      passRate: 0.4,
      histogram: { 1: 10, 2: 10, 3: 10, 4: 10, 5: 10 },
    });
    for (const m of Object.values(metrics))
      expect(run.statusExplanation[m.versionId]).toEqual({ scored: 50, errored: 0, total: 50 });

    const records = await collectPages<any>(api, `/runs/${runId}/records`, 100);
    expect(records).toHaveLength(50);
    expect(new Set(records.map((r) => r.testcaseId)).size).toBe(50);
    const first = records[0];
    expect(first).toMatchObject({
      status: 'completed',
      outputs: { response: 'answer-0' },
      usage: { promptTokens: 10, completionTokens: 2 },
    });
    expect(first.costUsd).toBeGreaterThan(0);
    expect(first.latencyMs).toBeGreaterThanOrEqual(0);
    expect(first.scores).toHaveLength(4);
    expect(systemCalls()).toBe(50);
  });

  it('rescoring adds a metric without executing the system again', async () => {
    const before = systemCalls();
    const regex = await createMetric(api, projectId, {
      name: 'shape',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'regex', pattern: '^answer-\\d+$' },
    });
    const res = await api.post(`/runs/${runId}/rescore`, {
      metricIds: [...Object.values(metrics).map((m) => m.id), regex.id],
    });
    expect(res.status).toBe(200);
    const run = await waitForRun(api, runId);
    expect(systemCalls()).toBe(before);
    expect(run.status).toBe('completed');
    expect(run.aggregates[regex.versionId]).toMatchObject({ n: 50, passRate: 0.9 });
    expect(run.statusExplanation[regex.versionId]).toEqual({ scored: 50, errored: 0, total: 50 });
    const records = await collectPages<any>(api, `/runs/${runId}/records`, 100);
    expect(records.every((r) => r.scores.length === 5)).toBe(true);
  });

  it('records a judge that answers garbage as errored scores, keeping the raw reply', async () => {
    const { projectId, testsetId } = await seedTestset(api, 5);
    const garbage = await createMetric(api, projectId, {
      name: 'garbage',
      evalType: 'ai',
      outputType: 'int',
      evalModelName: 'judge-garbage',
    });
    const versionId = await createSystemVersion(api, projectId, 'chat-2', CHAT_SYSTEM);
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [garbage.id],
    });
    expect(created.status).toBe(201);
    const run = await waitForRun(api, created.body.id);
    expect(run.status).toBe('completed');
    expect(run.statusExplanation[garbage.versionId]).toMatchObject({ scored: 0, errored: 5, total: 5 });
    expect(run.aggregates[garbage.versionId]).toMatchObject({ n: 0, errored: 5, passRate: null, mean: null });
    const records = await collectPages<any>(api, `/runs/${created.body.id}/records`);
    for (const record of records) {
      expect(record.scores[0]).toMatchObject({ status: 'errored', passed: null, rawReply: 'Looks good to me!' });
      expect(record.scores[0].score.intScore).toBeUndefined();
    }
  });

  it('keeps a judge that reasons for a megabyte: the score stands, its reasoning and raw reply cut to 20,000 characters', async () => {
    const { projectId, testsetId } = await seedTestset(api, 3);
    const verbose = await createMetric(api, projectId, {
      name: 'verbose',
      evalType: 'ai',
      outputType: 'boolean',
      evalModelName: 'judge-verbose',
    });
    const versionId = await createSystemVersion(api, projectId, 'chat-verbose', CHAT_SYSTEM);
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [verbose.id],
    });
    expect(created.status).toBe(201);
    const run = await waitForRun(api, created.body.id);
    expect(run.status).toBe('completed');
    expect(run.aggregates[verbose.versionId]).toMatchObject({ n: 3, passRate: 1 });
    const records = await collectPages<any>(api, `/runs/${created.body.id}/records`);
    for (const record of records) {
      const [score] = record.scores;
      expect(score).toMatchObject({ status: 'completed', passed: true, score: { binaryScore: true } });
      expect(score.score.reasoning).toMatch(/^n=\d+ because because /);
      expect(score.score.reasoning.length).toBeLessThanOrEqual(20_000);
      expect(score.score.reasoning).toMatch(/ \[cut at 20,000 characters\]$/);
      expect(score.rawReply.length).toBeLessThanOrEqual(20_000);
    }
  });

  it('retries a worker that crashes mid-batch without duplicating records or scores', async () => {
    const { projectId, testsetId } = await seedTestset(api, 30);
    failOnce.add('execute:question 3');
    failOnce.add('score:question 17');
    const versionId = await createSystemVersion(api, projectId, 'chat-3', CHAT_SYSTEM);
    const exact = await createMetric(api, projectId, EXACT_METRIC);
    const even = await createMetric(api, projectId, {
      name: 'even',
      evalType: 'ai',
      outputType: 'boolean',
      evalModelName: 'judge-bool',
    });
    const before = systemCalls();
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [exact.id, even.id],
    });
    expect(created.status).toBe(201);
    const run = await waitForRun(api, created.body.id);
    expect(run).toMatchObject({ status: 'completed', numRecords: 30, numExecuted: 30, numScores: 60 });
    expect(failOnce.size).toBe(0); // both crashes happened
    expect(systemCalls() - before).toBe(30);
    const records = await collectPages<any>(api, `/runs/${created.body.id}/records`, 7);
    expect(new Set(records.map((r) => r.id)).size).toBe(30);
    expect(records.every((r) => r.scores.length === 2)).toBe(true);
  });
});

describe('run again', () => {
  it('names the copy after its source and keeps the link, copy after copy', async () => {
    const { projectId, testsetId, metricId } = await seedTestset(api, 3).then(async (seeded) => ({
      ...seeded,
      metricId: (await createMetric(api, seeded.projectId, EXACT_METRIC)).id,
    }));
    const versionId = await createSystemVersion(api, projectId, 'chat', {
      type: 'openai_chat',
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Answer {{ question }}' }],
    });
    const source = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [metricId],
      name: 'nightly',
    });
    const again = await api.post(`/runs/${source.body.id}/rerun`);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ name: 'nightly (rerun)', rerunOf: source.body.id, testsetId });
    expect(again.body.notes).toBe(`Rerun of ${source.body.id}`);
    const twice = await api.post(`/runs/${again.body.id}/rerun`);
    expect(twice.body).toMatchObject({ name: 'nightly (rerun 2)', rerunOf: again.body.id });
    for (const id of [source.body.id, again.body.id, twice.body.id]) {
      expect((await waitForRun(api, id)).status).toBe('completed');
    }
  });
});

describe('trials', () => {
  it('executes every testcase once per trial', async () => {
    const { projectId, testsetId } = await seedTestset(api, 6);
    const versionId = await createSystemVersion(api, projectId, 'trials', CHAT_SYSTEM);
    const exact = await createMetric(api, projectId, EXACT_METRIC);
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [exact.id],
      trials: 3,
    });
    expect(created.body).toMatchObject({ numExpectedRecords: 18, trials: 3 });
    const run = await waitForRun(api, created.body.id);
    expect(run).toMatchObject({ status: 'completed', numRecords: 18, numScores: 18 });
    const records = await collectPages<any>(api, `/runs/${created.body.id}/records`);
    const perTestcase = new Map<string, number[]>();
    for (const r of records) perTestcase.set(r.testcaseId, [...(perTestcase.get(r.testcaseId) ?? []), r.trial]);
    expect(perTestcase.size).toBe(6);
    for (const trials of perTestcase.values()) expect(trials.sort()).toEqual([0, 1, 2]);
  });
});

describe('an http system', () => {
  it('retries 429s honouring Retry-After and records the cases that keep failing as errored', async () => {
    const attempts = new Map<number, number>();
    agent.respond((request) => {
      const n = questionNumber(request.body);
      const tries = (attempts.get(n) ?? 0) + 1;
      attempts.set(n, tries);
      if (n % 10 === 0) return { status: 500, body: { error: 'boom' } };
      if (n % 3 === 0 && tries === 1) return { status: 429, headers: { 'retry-after': '0' }, body: 'slow down' };
      return { body: { data: { reply: `answer-${n}` } } };
    });
    const { projectId, testsetId } = await seedTestset(api, 50);
    const versionId = await createSystemVersion(api, projectId, 'agent', {
      type: 'http',
      url: `${agent.url}/chat`,
      body: '{"prompt": {{ question | dump }}}',
      outputPath: '$.data.reply',
    });
    const exact = await createMetric(api, projectId, EXACT_METRIC);
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [exact.id],
    });
    const run = await waitForRun(api, created.body.id);
    expect(run).toMatchObject({ status: 'completed', numRecords: 50, numErroredRecords: 5 });
    const records = await collectPages<any>(api, `/runs/${created.body.id}/records`);
    const errored = records.filter((r) => r.status === 'errored').map((r) => questionNumber(r.inputs.question));
    expect(errored.sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40]);
    expect(records.find((r) => r.status === 'errored').error).toMatch(/500/);
    // Records that got a 429 first were retried once and then succeeded.
    expect(attempts.get(3)).toBe(2);
    expect(records.find((r) => r.inputs.question === 'question 3')).toMatchObject({
      status: 'completed',
      outputs: { response: 'answer-3' },
    });
    expect(run.aggregates[exact.versionId]).toMatchObject({ n: 45, passRate: 1 });
  });
});
