import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEnv } from '../../lambdas/api/context.js';
import { type ApiClient, type ApiResponse, apiClient, fieldPaths, startTestStack } from '../support/stack.js';

/**
 * Valid JSON that used to be a 500 saying "retry": numbers DynamoDB's number type cannot hold (2^53 + 1 and
 * past, 1e300, 1e-300) and nesting deep enough to overflow the stack. Each is now stored and read back as the
 * very number JSON.parse gives, or refused with a 400 naming the field; never a 500.
 */
const HOSTILE = ['9007199254740993', '1e300', '1e-300', '-1e300'] as const;
const N = '__number__';
/** The body as JSON text with the number written exactly as `text` wherever N stands (JSON.stringify would not). */
const withNumber = (body: unknown, text: string) => JSON.stringify(body).replaceAll(`"${N}"`, text);

/** `{"a":{"a":…{"a":1}}}` as text: `levels` nested objects, past what JSON.stringify can write. */
const nestedText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** `{a: {a: … {a: 1}}}`: `levels` nested objects. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let projectId: string;
let testsetId: string;
let runId: string;
const metrics: Record<string, { id: string; versionId: string }> = {};

/** Routes that fail the way a bug and a struggling dependency do, to see what each 5xx tells clients. */
function faultRoutes() {
  const app = new OpenAPIHono<ApiEnv>();
  app.get('/faults/bug', () => {
    throw new TypeError("Cannot read properties of undefined (reading 'id')");
  });
  app.get('/faults/throttled', () => {
    throw new ProvisionedThroughputExceededException({
      message: 'Rate of requests exceeds the allowed throughput',
      $metadata: {},
    });
  });
  app.get('/faults/dependency', () => {
    throw new InternalServerError({ message: 'Internal server error', $metadata: {} });
  });
  return app;
}

beforeAll(async () => {
  stack = await startTestStack({ extensions: [() => ({ routes: [faultRoutes] })] });
  api = apiClient(stack.url, stack.apiKey);
  projectId = (await api.post('/projects', { name: 'hostile' })).body.id;
  testsetId = (
    await api.post(`/projects/${projectId}/testsets`, {
      name: 'numbers',
      fieldMapping: { inputs: ['q'], expected: ['a'], metadata: [] },
    })
  ).body.id;
  for (const [name, evalType, outputType] of [
    ['review', 'human', 'boolean'],
    ['grade', 'human', 'float'],
  ] as const) {
    metrics[name] = (await api.post(`/projects/${projectId}/metrics`, { name, evalType, outputType })).body;
  }
  runId = (await api.post(`/projects/${projectId}/runs`, { metricIds: [] })).body.id;
});
afterAll(() => stack?.stop());

const ok = (res: ApiResponse, status = 200) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
};

describe.each(HOSTILE)('JSON documents keep the number %s', (text) => {
  const n = JSON.parse(text) as number;

  it('in testcase jsonData, inputs and expected', async () => {
    const jsonData = { q: N, a: { list: [N, 'x'] }, other: N };
    const [created] = ok(
      await api.post(`/testsets/${testsetId}/testcases`, withNumber({ items: [{ jsonData }] }, text)),
      201,
    ).items;
    const read = ok(await api.get(`/testcases/${created.id}`));
    expect(read.jsonData).toEqual({ q: n, a: { list: [n, 'x'] }, other: n });
    expect(read.inputs).toEqual({ q: n });
    expect(read.expected).toEqual({ a: { list: [n, 'x'] } });
    ok(await api.put(`/testcases/${created.id}`, withNumber({ jsonData: { q: N } }, text)));
    expect(ok(await api.get(`/testcases/${created.id}`)).jsonData).toEqual({ q: n });
  });

  it('in a testset jsonSchema, created and patched', async () => {
    const schema = { type: 'object', properties: { q: { type: 'number', maximum: N } } };
    const created = ok(
      await api.post(`/projects/${projectId}/testsets`, withNumber({ name: 's', jsonSchema: schema }, text)),
      201,
    );
    expect(ok(await api.get(`/testsets/${created.id}`)).jsonSchema.properties.q.maximum).toBe(n);
    const patch = { jsonSchema: { type: 'object', properties: { q: { minimum: N } } } };
    ok(await api.patch(`/testsets/${created.id}`, withNumber(patch, text)));
    expect(ok(await api.get(`/testsets/${created.id}`)).jsonSchema.properties.q.minimum).toBe(n);
  });

  it('in a heuristic metric’s literal value and JSON Schema', async () => {
    const exact = {
      name: 'is n',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'exact_match', value: N },
    };
    const metric = ok(await api.post(`/projects/${projectId}/metrics`, withNumber(exact, text)), 201);
    expect(ok(await api.get(`/metrics/${metric.id}`)).heuristic.value).toBe(n);
    const schema = {
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'json_schema', schema: { maximum: N } },
    };
    ok(await api.patch(`/metrics/${metric.id}`, withNumber(schema, text)));
    expect(ok(await api.get(`/metrics/${metric.id}`)).heuristic.schema).toEqual({ maximum: n });
  });

  it('in record inputs, expected and outputs, on every read path', async () => {
    const body = { inputs: { q: N }, expected: { a: N }, outputs: { response: N, nested: { list: [N] } } };
    const want = { inputs: { q: n }, expected: { a: n }, outputs: { response: n, nested: { list: [n] } } };
    const created = ok(await api.post(`/runs/${runId}/records`, withNumber(body, text)), 201);
    expect(created).toMatchObject(want);
    expect(ok(await api.get(`/records/${created.id}`))).toMatchObject(want);
    const inRun = ok(await api.get(`/runs/${runId}/records?limit=100`)).data.find(
      (r: { id: string }) => r.id === created.id,
    );
    expect(inRun).toMatchObject(want);
    const searched = ok(await api.get(`/projects/${projectId}/records?runId=${runId}&limit=100`));
    expect(searched.data.find((r: { id: string }) => r.id === created.id)).toMatchObject(want);
  });

  it('in a replayed idempotent response', async () => {
    const headers = { 'idempotency-key': `numbers-${text}` };
    const body = withNumber({ outputs: { response: N } }, text);
    const first = ok(await api.post(`/runs/${runId}/records`, body, headers), 201);
    const replay = await api.post(`/runs/${runId}/records`, body, headers);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(ok(replay, 201)).toEqual(first);
    expect(replay.body.outputs.response).toBe(n);
  });

  it('in the extra fields of a score', async () => {
    const record = ok(await api.post(`/runs/${runId}/records`, { outputs: { response: 'x' } }), 201);
    const path = `/records/${record.id}/scores/${metrics.review!.versionId}`;
    ok(await api.put(path, withNumber({ score: { binaryScore: true, confidence: N } }, text)));
    expect(ok(await api.get(`/records/${record.id}`)).scores[0].score).toEqual({ binaryScore: true, confidence: n });
  });

  it('in traces, read back through the records a monitor makes of them', async () => {
    const traceId = `numbers-${HOSTILE.indexOf(text)}`;
    const timestamp = new Date(Date.now() - 10 * 60_000).toISOString();
    const item = { traceId, timestamp, inputs: { q: N }, outputs: { response: N }, metadata: { m: N } };
    ok(await api.post(`/projects/${projectId}/traces`, withNumber({ items: [item] }, text)), 201);
    const monitor = ok(
      await api.post(`/projects/${projectId}/monitors`, { name: traceId, schedule: 'rate(1 hour)', active: false }),
      201,
    );
    const tick = ok(await api.post(`/monitors/${monitor.id}/trigger`, { lookback: '1 hour' }));
    const records = ok(await api.get(`/runs/${tick.runId}/records?limit=100`)).data;
    expect(records.find((r: { traceId: string }) => r.traceId === traceId)).toMatchObject({
      inputs: { q: n },
      outputs: { response: n },
    });
  });

  it('in OTLP attributes (doubles and integers)', async () => {
    const traceId = `${'ab'.repeat(15)}${String(HOSTILE.indexOf(text)).padStart(2, '0')}`;
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'verdict.project.id', value: { stringValue: projectId } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: 'cd'.repeat(8),
                  name: 'chat',
                  startTimeUnixNano: String((Date.now() - 60_000) * 1e6),
                  endTimeUnixNano: String((Date.now() - 59_000) * 1e6),
                  attributes: [
                    { key: 'gen_ai.prompt', value: { stringValue: 'hi' } },
                    { key: 'gen_ai.completion', value: { stringValue: 'ok' } },
                    { key: 'app.double', value: { doubleValue: N } },
                    { key: 'app.int', value: { intValue: N } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${stack.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: withNumber(otlp, text),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({});
    // Span attributes are kept in the trace's metadata, which no route returns: read it from storage.
    const { traces } = await stack.core.repositories.traces.listWindow({ orgId: 'default' }, projectId, {
      start: new Date(Date.now() - 3_600_000).toISOString(),
      end: new Date().toISOString(),
      sampleRate: 1,
      limit: 1000,
      accept: (t) => t.traceId === traceId,
    });
    expect(traces[0]?.metadata).toMatchObject({ 'app.double': n, 'app.int': n });
  });
});

describe.each(HOSTILE)('typed numeric fields refuse %s with a 400 naming the field', (text) => {
  const cases: Array<[string, () => [string, string, unknown], string]> = [
    ['record latencyMs', () => ['POST', `/runs/${runId}/records`, { latencyMs: N }], 'latencyMs'],
    ['record costUsd', () => ['POST', `/runs/${runId}/records`, { costUsd: N }], 'costUsd'],
    [
      'record usage',
      () => ['POST', `/runs/${runId}/records`, { usage: { promptTokens: N, completionTokens: 1 } }],
      'usage.promptTokens',
    ],
    [
      'trace latencyMs',
      () => ['POST', `/projects/${projectId}/traces`, { items: [{ traceId: 't', latencyMs: N }] }],
      'items.0.latencyMs',
    ],
    [
      'trace costUsd',
      () => ['POST', `/projects/${projectId}/traces`, { items: [{ traceId: 't', costUsd: N }] }],
      'items.0.costUsd',
    ],
    [
      'trace usage',
      () => [
        'POST',
        `/projects/${projectId}/traces`,
        { items: [{ traceId: 't', usage: { promptTokens: 1, completionTokens: N } }] },
      ],
      'items.0.usage.completionTokens',
    ],
    [
      'float passingThreshold',
      () => [
        'POST',
        `/projects/${projectId}/metrics`,
        { name: 'm', evalType: 'ai', outputType: 'float', passingThreshold: N },
      ],
      'passingThreshold',
    ],
    [
      'boolean passingThreshold',
      () => [
        'POST',
        `/projects/${projectId}/metrics`,
        { name: 'm', evalType: 'ai', outputType: 'boolean', passingThreshold: N },
      ],
      'passingThreshold',
    ],
    [
      'judge temperature',
      () => [
        'POST',
        `/projects/${projectId}/metrics`,
        { name: 'm', evalType: 'ai', outputType: 'boolean', temperature: N },
      ],
      'temperature',
    ],
    [
      'heuristic threshold',
      () => [
        'POST',
        `/projects/${projectId}/metrics`,
        { name: 'm', evalType: 'heuristic', outputType: 'boolean', heuristic: { kind: 'levenshtein', threshold: N } },
      ],
      'heuristic.threshold',
    ],
    [
      'heuristic bound',
      () => [
        'POST',
        `/projects/${projectId}/metrics`,
        { name: 'm', evalType: 'heuristic', outputType: 'boolean', heuristic: { kind: 'latency', max: N } },
      ],
      'heuristic.max',
    ],
    [
      'system temperature',
      () => [
        'POST',
        `/projects/${projectId}/systems`,
        {
          name: 's',
          config: { type: 'openai_chat', model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: N },
        },
      ],
      'config.temperature',
    ],
    [
      'monitor sampleRate',
      () => [
        'POST',
        `/projects/${projectId}/monitors`,
        { name: 'm', schedule: 'rate(1 hour)', active: false, sampleRate: N },
      ],
      'sampleRate',
    ],
  ];

  it.each(cases)('%s', async (_label, request, field) => {
    const [method, path, body] = request();
    const res = await api.raw(method, path, withNumber(body, text));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(fieldPaths(res.body)).toContain(field);
    expect(res.headers.get('x-should-retry')).toBe('false');
  });

  it('a float score', async () => {
    const record = ok(await api.post(`/runs/${runId}/records`, { outputs: { response: 'x' } }), 201);
    const res = await api.put(
      `/records/${record.id}/scores/${metrics.grade!.versionId}`,
      withNumber({ score: { floatScore: N } }, text),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(fieldPaths(res.body)).toContain('score.floatScore');
  });
});

describe('deeply nested JSON is a 400 naming where, checked before any handler', () => {
  const testcases = (levels: number) => `{"items":[{"jsonData":${nestedText(levels)}}]}`;

  it.each([
    // The body's own levels count: {items: [{jsonData: …}]} is three before jsonData's first.
    ['jsonData 4,100 levels deep', 4_100],
    ['a body 65 levels deep', 62],
  ])('%s', async (_label, levels) => {
    const res = await api.post(`/testsets/${testsetId}/testcases`, testcases(levels));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const [path] = fieldPaths(res.body);
    expect(path).toMatch(/^items\.0\.jsonData\.a\.a\.a\.….a\.a$/);
    expect(res.body.message).toContain('deeper than 64 levels');
    expect(res.headers.get('x-should-retry')).toBe('false');
  });

  it('accepts a body 64 levels deep, and reads it back', async () => {
    const created = ok(await api.post(`/testsets/${testsetId}/testcases`, testcases(61)), 201).items[0];
    expect(ok(await api.get(`/testcases/${created.id}`)).jsonData).toEqual(nested(61));
  });

  it('names the field in other bodies too: record outputs, a testcase replaced, an OTLP export', async () => {
    const record = await api.post(`/runs/${runId}/records`, `{"outputs":{"response":${nestedText(4_100)}}}`);
    expect(record.status).toBe(400);
    expect(fieldPaths(record.body)[0]).toMatch(/^outputs\.response\.a\.a\.a\.a\.….a\.a$/);
    const [tc] = ok(await api.post(`/testsets/${testsetId}/testcases`, testcases(1)), 201).items;
    const replaced = await api.put(`/testcases/${tc.id}`, `{"jsonData":${nestedText(100)}}`);
    expect(replaced.status).toBe(400);
    expect(fieldPaths(replaced.body)[0]).toMatch(/^jsonData\.a\.a/);
    const otlp = await fetch(`${stack.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: `{"resourceSpans":[${nestedText(5_000)}]}`,
    });
    expect(otlp.status).toBe(400);
    expect(fieldPaths((await otlp.json()) as { details?: unknown })[0]).toMatch(/^resourceSpans\.0\.a\.a/);
  });

  it('does not count brackets inside strings', async () => {
    const jsonData = { text: '['.repeat(10_000), escaped: '\\"{{{{'.repeat(100) };
    const [created] = ok(await api.post(`/testsets/${testsetId}/testcases`, { items: [{ jsonData }] }), 201).items;
    expect(ok(await api.get(`/testcases/${created.id}`)).jsonData).toEqual(jsonData);
  });
});

describe('a 5xx says "retry" only when a retry can help', () => {
  it('answers an unexpected error with 500 and x-should-retry: false', async () => {
    const res = await api.get('/faults/bug');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal');
    expect(res.headers.get('x-should-retry')).toBe('false');
  });

  it.each(['/faults/throttled', '/faults/dependency'])(
    'answers a dependency’s passing fault (%s) with 503 and x-should-retry: true',
    async (path) => {
      const res = await api.get(path);
      expect(res.status).toBe(503);
      expect(res.headers.get('x-should-retry')).toBe('true');
    },
  );
});
