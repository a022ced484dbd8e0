import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAgent, type FakeLLM, startFakeAgent, startFakeLLM } from '../support/fake-llm.js';
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
 * A system that never answers is cut at its timeoutMs, each attempt, and its record errored saying so; a 429
 * with Retry-After is waited out, as long as it says, from an agent and from the LLM alike. Delays are measured
 * where they happen: at the fake servers, from the arrival of one attempt to the next. (A judge answering
 * garbage is an errored score, never a 0: run-pipeline.test.ts.)
 */

const ATTEMPTS = 3;
const TIMEOUT_MS = 300;

let llm: FakeLLM;
let agent: FakeAgent;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
/** Arrival times (ms, monotonic) at the fake servers, per testcase number. */
const arrivals = { agent: new Map<number, number[]>(), llm: new Map<number, number[]>() };
const arrive = (log: Map<number, number[]>, n: number) => {
  const times = log.get(n) ?? [];
  times.push(performance.now());
  log.set(n, times);
  return times.length;
};
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

beforeAll(async () => {
  llm = await startFakeLLM({
    responder: (body) => {
      const n = questionNumber(body.messages.map((m) => m.content).join('\n'));
      if (body.model !== 'gpt-4o-mini') return { content: 'ok' };
      // Every testcase's first call is told to wait one second.
      if (arrive(arrivals.llm, n) === 1) return { status: 429, headers: { 'retry-after': '1' } };
      return { content: `answer-${n}` };
    },
  });
  agent = await startFakeAgent({
    responder: (request) => {
      const n = questionNumber(request.body);
      const attempt = arrive(arrivals.agent, n);
      // Even testcases hang (a run whose every record errored would be failed, which is not the point here).
      if (request.path.startsWith('/hang')) return n % 2 === 0 ? { delayMs: 120_000 } : { body: { reply: 'late' } };
      if (attempt === 1) return { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' };
      return { body: { reply: `answer-${n}` } };
    },
  });
  stack = await startTestStack({
    pipeline: {
      openaiApiKey: 'test-key',
      openaiBaseURL: `${llm.url}/v1`,
      // The computed backoff is tiny, so any wait of a second is the server's Retry-After.
      retry: { attempts: ATTEMPTS, baseDelayMs: 5, maxDelayMs: 20 },
    },
  });
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(async () => {
  await stack?.stop();
  await llm?.close();
  await agent?.close();
});

async function runOf(config: Record<string, unknown>, n: number) {
  arrivals.agent.clear();
  arrivals.llm.clear();
  const { projectId, testsetId } = await seedTestset(api, n);
  const versionId = await createSystemVersion(api, projectId, 'system', config);
  const exact = await createMetric(api, projectId, EXACT_METRIC);
  const created = await api.post(`/projects/${projectId}/runs`, {
    testsetId,
    systemVersionId: versionId,
    metricIds: [exact.id],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const run = await waitForRun(api, created.body.id);
  const records = await collectPages<any>(api, `/runs/${run.id}/records`);
  return { run, records };
}

describe('a system that hangs', () => {
  it('is cut at its timeoutMs on every attempt, and its record errored with the reason', async () => {
    const started = performance.now();
    const { run, records } = await runOf(
      { type: 'http', url: `${agent.url}/hang`, body: '{"q": {{ question | dump }}}', timeoutMs: TIMEOUT_MS },
      4,
    );
    expect(run).toMatchObject({ status: 'completed', numRecords: 4, numErroredRecords: 2 });
    for (const record of records.filter((r) => questionNumber(r.inputs.question) % 2 === 0)) {
      expect(record.status).toBe('errored');
      expect(record.error).toMatch(
        new RegExp(`did not answer within ${TIMEOUT_MS} ms \\(gave up after ${ATTEMPTS} attempts\\)`),
      );
      expect(record.outputs).toEqual({});
    }
    for (const n of [0, 2]) {
      const times = arrivals.agent.get(n)!;
      expect(times, `question ${n}`).toHaveLength(ATTEMPTS);
      // The next attempt comes once this one was cut, not long after. Arrivals are logged once a request is
      // read, which a busy machine delays by up to a few hundred ms, so only the span of all attempts is held
      // to the timeouts it took.
      for (const gap of gaps(times)) expect(gap).toBeLessThan(TIMEOUT_MS + 1_500);
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((ATTEMPTS - 1) * TIMEOUT_MS - 300);
    }
    expect(records.filter((r) => r.status === 'completed')).toHaveLength(2);
    // Never the 2-minute reply: the whole run took a few timeouts.
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});

describe('a 429 with Retry-After', () => {
  it('from an http agent is waited out for as long as it says', async () => {
    const { run, records } = await runOf(
      { type: 'http', url: `${agent.url}/chat`, body: '{"q": {{ question | dump }}}', outputPath: '$.reply' },
      4,
    );
    expect(run).toMatchObject({ status: 'completed', numRecords: 4, numErroredRecords: 0 });
    expect(records.every((r) => r.outputs.response === `answer-${questionNumber(r.inputs.question)}`)).toBe(true);
    expect(arrivals.agent.size).toBe(4);
    for (const [n, times] of arrivals.agent) {
      expect(times, `question ${n}`).toHaveLength(2);
      expect(gaps(times)[0], `question ${n}`).toBeGreaterThanOrEqual(995);
    }
  });

  it('from the LLM is waited out for as long as it says', async () => {
    const { run } = await runOf(CHAT_SYSTEM, 4);
    expect(run).toMatchObject({ status: 'completed', numRecords: 4, numErroredRecords: 0, numScores: 4 });
    expect(run.aggregates).toMatchObject({ [Object.keys(run.aggregates)[0]!]: { passRate: 1 } });
    expect(arrivals.llm.size).toBe(4);
    for (const [n, times] of arrivals.llm) {
      expect(times, `question ${n}`).toHaveLength(2);
      expect(gaps(times)[0], `question ${n}`).toBeGreaterThanOrEqual(995);
    }
  });
});

describe('a regex metric that backtracks catastrophically', () => {
  it('is stopped on the output it stalls on: that score errored with the reason, the others kept, the run completed', async () => {
    const { projectId, testsetId } = await seedTestset(api, 2);
    // ^(a+)+$ on 40 a's and a "!" would take about a day of the scorer's thread, which every run shares.
    const evil = await createMetric(api, projectId, {
      name: 'all a',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'regex', pattern: '^(a+)+$', flags: 'i' },
    });
    const exact = await createMetric(api, projectId, EXACT_METRIC);
    const created = await api.post(`/projects/${projectId}/runs`, { testsetId, metricIds: [evil.id, exact.id] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [stalling, plain] = await collectPages<any>(api, `/testsets/${testsetId}/testcases`);
    for (const [tc, response] of [
      [stalling, `${'a'.repeat(40)}!`],
      [plain, 'aaaa'],
    ]) {
      const body = { testcaseId: tc.id, inputs: tc.inputs, expected: tc.expected, outputs: { response } };
      expect((await api.post(`/runs/${created.body.id}/records`, body)).status).toBe(201);
    }

    const run = await waitForRun(api, created.body.id);

    expect(run).toMatchObject({ status: 'completed', numRecords: 2, numScores: 4 });
    const records = await collectPages<any>(api, `/runs/${run.id}/records`);
    const scoreOf = (response: string, metric: { versionId: string }) =>
      records
        .find((r) => r.outputs.response === response)
        .scores.find((s: any) => s.metricConfigId === metric.versionId);
    expect(scoreOf(`${'a'.repeat(40)}!`, evil)).toMatchObject({ status: 'errored', passed: null });
    expect(scoreOf(`${'a'.repeat(40)}!`, evil).error).toMatch(
      /^"pattern" \/\^\(a\+\)\+\$\/i ran for over 500 ms and was stopped on outputs\.response \(41 characters\)/,
    );
    expect(scoreOf(`${'a'.repeat(40)}!`, exact)).toMatchObject({ status: 'completed', passed: false });
    expect(scoreOf('aaaa', evil)).toMatchObject({ status: 'completed', passed: true });
    expect(run.aggregates[evil.versionId]).toMatchObject({ n: 1, errored: 1 });
  });
});
