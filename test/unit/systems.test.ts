import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAIChatModel } from '../../lambdas/adapters/llm/openai-chat-model.js';
import { createGuardedFetch } from '../../lambdas/adapters/net/guarded-fetch.js';
import { NonRetryableError, TransientError } from '../../lambdas/core/errors.js';
import { withRetries } from '../../lambdas/core/llm/retry.js';
import { UrlPolicy } from '../../lambdas/core/net/url-policy.js';
import { SystemConfig } from '../../lambdas/core/schemas/system.js';
import { costUsd, loadPriceTable, runSystem, type SystemDeps } from '../../lambdas/core/systems/index.js';
import { RENDER_TIME_LIMIT_MS } from '../../lambdas/core/systems/template.js';
import { type FakeAgent, type FakeLLM, startFakeAgent, startFakeLLM } from '../support/fake-llm.js';

const SECRETS: Record<string, string> = { AGENT_TOKEN: 'tok-123', 'team/name': 'evals', SYSTEM_KEY: 'sk-system' };

let llm: FakeLLM;
let agent: FakeAgent;
let chat: OpenAIChatModel;

beforeAll(async () => {
  [llm, agent] = await Promise.all([startFakeLLM(), startFakeAgent()]);
  chat = new OpenAIChatModel({ apiKey: 'sk-default', baseURL: `${llm.url}/v1`, policy });
});
afterAll(async () => {
  await Promise.all([llm.close(), agent.close()]);
});
beforeEach(() => {
  llm.requests.length = 0;
  agent.requests.length = 0;
  llm.respond(() => ({ content: 'fake answer' }));
  agent.respond(() => ({ body: { response: 'ok' } }));
});

// The fake servers listen on 127.0.0.1, which only a policy that allows private URLs lets through.
const policy = new UrlPolicy({ allowPrivate: true });
const guardedFetch = createGuardedFetch(policy);

function deps(overrides: Partial<SystemDeps> = {}): SystemDeps {
  return { chat, fetch: guardedFetch, secrets: async (name) => SECRETS[name], ...overrides };
}

const chatSystem = (extra: Record<string, unknown> = {}) =>
  SystemConfig.parse({
    type: 'openai_chat',
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You answer {{ topic }} questions.' },
      { role: 'user', content: 'Q: {{ inputs.question }}{{ missing }} {{ inputs.missing.deep }}|' },
    ],
    ...extra,
  });

const httpSystem = (extra: Record<string, unknown> = {}) =>
  SystemConfig.parse({ type: 'http', url: `${agent.url}/agent`, ...extra });

describe('openai_chat system (real openai client against the fake LLM)', () => {
  it('renders the message templates from inputs and returns the reply, usage and cost', async () => {
    llm.respond(() => ({ content: '42', usage: { prompt_tokens: 1000, completion_tokens: 500 } }));
    const config = chatSystem({ temperature: 0.3, maxTokens: 64 });

    const result = await runSystem(config, { topic: 'math', question: 'What is 6 × 7 & <why>?' }, deps());

    const body = llm.requests[0]?.body;
    expect(body?.messages).toEqual([
      { role: 'system', content: 'You answer math questions.' },
      { role: 'user', content: 'Q: What is 6 × 7 & <why>? |' },
    ]);
    expect(body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.3, max_tokens: 64 });
    expect(llm.requests[0]?.headers.authorization).toBe('Bearer sk-default');
    expect(result.outputs).toEqual({ response: '42' });
    expect(result.usage).toEqual({ promptTokens: 1000, completionTokens: 500 });
    expect(result.costUsd).toBeCloseTo(0.00045, 12);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('writes to outputField and prices an unknown model as null', async () => {
    const result = await runSystem(chatSystem({ model: 'my-local-model', outputField: 'answer' }), {}, deps());

    expect(result.outputs).toEqual({ answer: 'fake answer' });
    expect(result.usage).not.toBeNull();
    expect(result.costUsd).toBeNull();
  });

  it('uses the key named by apiKeySecret and the system baseURL over the defaults', async () => {
    const elsewhere = new OpenAIChatModel({ apiKey: 'sk-default', baseURL: 'http://127.0.0.1:1/v1', policy });
    const config = chatSystem({ apiKeySecret: 'SYSTEM_KEY', baseURL: `${llm.url}/v1` });

    await runSystem(config, {}, deps({ chat: elsewhere }));

    expect(llm.requests[0]?.headers.authorization).toBe('Bearer sk-system');
  });

  it.each<{ headers: Record<string, string>; delay: number }>([
    { headers: { 'retry-after': '2' }, delay: 2000 },
    { headers: { 'retry-after-ms': '150' }, delay: 150 },
  ])('retries a 429 honouring $headers', async ({ headers, delay }) => {
    llm.respond((_body, index) => (index === 0 ? { status: 429, headers } : { content: 'second time lucky' }));
    const delays: number[] = [];
    const sleep = async (ms: number) => void delays.push(ms);

    const result = await withRetries(() => runSystem(chatSystem(), {}, deps()), { sleep });

    expect(result.outputs.response).toBe('second time lucky');
    expect(delays).toEqual([delay]);
    expect(llm.requests).toHaveLength(2);
  });

  it('gives up after the last attempt with a transient error naming the count', async () => {
    llm.respond(() => ({ status: 500 }));

    const run = withRetries(() => runSystem(chatSystem(), {}, deps()), { attempts: 3, sleep: async () => {} });

    await expect(run).rejects.toThrow(/HTTP 500.*gave up after 3 attempts/);
    await expect(run).rejects.toBeInstanceOf(TransientError);
    expect(llm.requests).toHaveLength(3);
  });

  it('treats a 400 as permanent: no retry', async () => {
    llm.respond(() => ({ status: 400, json: { error: { message: 'bad model', type: 'invalid_request_error' } } }));

    const run = withRetries(() => runSystem(chatSystem(), {}, deps()), { sleep: async () => {} });

    await expect(run).rejects.toMatchObject({ name: 'NonRetryableError', status: 400 });
    await expect(run).rejects.toThrow(/HTTP 400.*bad model/);
    expect(llm.requests).toHaveLength(1);
  });

  it.each([
    { name: 'no default key', config: chatSystem() },
    { name: 'apiKeySecret not set', config: chatSystem({ apiKeySecret: 'ABSENT' }) },
  ])('says "no LLM configured" with $name', async ({ config }) => {
    const keyless = new OpenAIChatModel({ baseURL: `${llm.url}/v1` });

    const run = runSystem(config, {}, deps({ chat: keyless }));

    await expect(run).rejects.toBeInstanceOf(NonRetryableError);
    await expect(run).rejects.toThrow('no LLM configured');
    expect(llm.requests).toHaveLength(0);
  });

  it('rejects a template that does not compile as permanent', async () => {
    const config = chatSystem({ messages: [{ role: 'user', content: 'Hi {{ name ' }] });

    await expect(runSystem(config, {}, deps())).rejects.toThrow(/message 1 of the system is not a valid Jinja/);
  });

  it('stops a template that renders past RENDER_TIME_LIMIT_MS, as permanent, without calling the LLM', async () => {
    // 4 million turns of the executor's thread, which every organization shares: ~25 s unstopped on this VM, so
    // the test fails rather than hangs if the stop is lost (range(0, 99999) twice would take hours).
    const loop = '{% for i in range(0, 2000) %}{% for j in range(0, 2000) %}x{% endfor %}{% endfor %}';
    const config = chatSystem({ messages: [{ role: 'user', content: loop }] });

    const run = runSystem(config, {}, deps());

    await expect(run).rejects.toBeInstanceOf(NonRetryableError);
    await expect(run).rejects.toThrow(
      `message 1 of the system ran for over ${RENDER_TIME_LIMIT_MS} ms and was stopped while rendering`,
    );
    expect(llm.requests).toHaveLength(0);
  });

  it("keeps range()'s meaning, and refuses one too long to build before the loop even starts", async () => {
    const counted = '{% for i in range(3) %}{{ i }}{% endfor %}|{% for i in range(2, 8, 2) %}{{ i }}{% endfor %}';
    const down = '{% for i in range(5, 0, -2) %}{{ i }}{% endfor %}';
    await runSystem(chatSystem({ messages: [{ role: 'user', content: `${counted}|${down}` }] }), {}, deps());
    expect(llm.requests[0]?.body.messages).toEqual([{ role: 'user', content: '012|246|531' }]);

    const huge = chatSystem({
      messages: [{ role: 'user', content: '{% for i in range(0, 1000000000) %}x{% endfor %}' }],
    });
    await expect(runSystem(huge, {}, deps())).rejects.toThrow(/range\(\) of 1000000000 items is over the limit/);
  });
});

describe('http system (fake agent)', () => {
  it('resolves secret headers, renders the body template and follows outputPath', async () => {
    agent.respond(() => ({ body: { data: { answers: ['forty-two', 'other'] } } }));
    const config = httpSystem({
      url: `${agent.url}/agent?sig=secret`,
      headers: { Authorization: 'Bearer {{ secrets.AGENT_TOKEN }}', 'X-Team': "{{ secrets['team/name'] }}-x" },
      body: '{"q": {{ inputs.question | dump }}, "n": {{ n }}}',
      outputPath: '$.data.answers[*]',
    });

    const result = await runSystem(config, { question: 'say "hi"', n: 3 }, deps());

    const request = agent.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/agent?sig=secret');
    expect(request?.headers).toMatchObject({ authorization: 'Bearer tok-123', 'x-team': 'evals-x' });
    expect(JSON.parse(request?.body ?? '')).toEqual({ q: 'say "hi"', n: 3 });
    expect(result.outputs).toEqual({ response: 'forty-two' });
    expect(result).toMatchObject({ usage: null, costUsd: null });
  });

  it.each([
    { reply: { body: { answer: 'a', score: 1 } }, output: { answer: 'a', score: 1 } },
    { reply: { body: 'plain text reply' }, output: 'plain text reply' },
  ])('without a body template sends {inputs} and keeps the whole reply ($output)', async ({ reply, output }) => {
    agent.respond(() => reply);

    const result = await runSystem(httpSystem({ outputField: 'out' }), { question: 'q?' }, deps());

    expect(JSON.parse(agent.requests[0]?.body ?? '')).toEqual({ inputs: { question: 'q?' } });
    expect(result.outputs).toEqual({ out: output });
  });

  it('turns a timeout into a transient error', async () => {
    agent.respond(() => ({ delayMs: 2_000 }));

    const run = runSystem(httpSystem({ timeoutMs: 100 }), {}, deps());

    await expect(run).rejects.toBeInstanceOf(TransientError);
    await expect(run).rejects.toThrow(/did not answer within 100 ms/);
  });

  it('turns a refused connection into a transient error', async () => {
    const run = runSystem(SystemConfig.parse({ type: 'http', url: 'http://127.0.0.1:1/x' }), {}, deps());

    await expect(run).rejects.toThrow(/could not reach agent at http:\/\/127.0.0.1:1\/x/);
    await expect(run).rejects.toBeInstanceOf(TransientError);
  });

  it.each<{
    status: number;
    headers: Record<string, string>;
    kind: typeof TransientError | typeof NonRetryableError;
    retryAfterMs?: number;
  }>([
    { status: 503, headers: { 'retry-after': '7' }, kind: TransientError, retryAfterMs: 7000 },
    { status: 429, headers: {}, kind: TransientError, retryAfterMs: undefined },
    { status: 404, headers: {}, kind: NonRetryableError, retryAfterMs: undefined },
    { status: 401, headers: {}, kind: NonRetryableError, retryAfterMs: undefined },
  ])('classifies HTTP $status', async ({ status, headers, kind, retryAfterMs }) => {
    agent.respond(() => ({ status, headers, body: { error: `went wrong ${status}` } }));

    const error = await runSystem(httpSystem(), {}, deps()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(kind);
    expect(String(error)).toContain(`answered HTTP ${status}: {"error":"went wrong ${status}"}`);
    expect(error).not.toHaveProperty('message', expect.stringContaining('sig='));
    if (error instanceof TransientError) expect(error.retryAfterMs).toBe(retryAfterMs);
  });

  it.each([
    {
      name: 'a missing secret',
      extra: { headers: { 'x-key': '{{ secrets.NOPE }}' } },
      error: /secret "NOPE", which is not registered for this project/,
    },
    { name: 'a body that is not JSON', extra: { body: '{"q": {{ inputs.q }}}' }, error: /\| dump/ },
    { name: 'an outputPath that matches nothing', extra: { outputPath: '$.nope' }, error: /matched nothing/ },
  ])('fails permanently on $name', async ({ extra, error }) => {
    const run = runSystem(httpSystem(extra), { q: 'text' }, deps());

    await expect(run).rejects.toBeInstanceOf(NonRetryableError);
    await expect(run).rejects.toThrow(error);
  });
});

describe('external system and pricing', () => {
  it('never executes an external system', async () => {
    const run = runSystem({ type: 'external' }, {}, deps());

    await expect(run).rejects.toBeInstanceOf(NonRetryableError);
    await expect(run).rejects.toThrow(/POST \/runs\/\{runId\}\/records/);
  });

  it('prices dated snapshots and provider prefixes, and accepts overrides', () => {
    const usage = { promptTokens: 2_000_000, completionTokens: 1_000_000 };
    const prices = loadPriceTable('{"my-model": {"inputPerMTok": 1, "outputPerMTok": 3}}');

    expect(costUsd('gpt-4o-2024-08-06', usage)).toBe(15);
    expect(costUsd('openai/gpt-4.1-mini', usage)).toBeCloseTo(2.4, 9);
    expect(costUsd('my-model', usage, prices)).toBe(5);
    expect(costUsd('gpt-4o', usage, prices)).toBe(15);
    expect(costUsd('gpt-4o', null)).toBeNull();
    expect(loadPriceTable(undefined)).toBe(loadPriceTable(''));
  });

  it.each(['not json', '{"m": {"inputPerMTok": -1, "outputPerMTok": 1}}', '{"m": {"input": 1}}'])(
    'rejects a malformed VERDICT_MODEL_PRICES: %s',
    (text) => {
      expect(() => loadPriceTable(text)).toThrow(/VERDICT_MODEL_PRICES/);
    },
  );
});
