import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, fieldPaths, startTestStack } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let projectId: string;
let testsetId: string;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.apiKey);
  projectId = (await api.post('/projects', { name: 'errors' })).body.id;
  testsetId = (await api.post(`/projects/${projectId}/testsets`, { name: 't' })).body.id;
});
afterAll(() => stack?.stop());

describe('bad input gets a 4xx naming the field', () => {
  it.each([
    ['empty project name', '/projects', { name: '' }, 'name'],
    ['missing project name', '/projects', {}, 'name'],
    ['wrong type', '/projects', { name: 42 }, 'name'],
    [
      'too many testcases',
      () => `/testsets/${testsetId}/testcases`,
      { items: Array.from({ length: 101 }, () => ({ jsonData: {} })) },
      'items',
    ],
    ['no testcases', () => `/testsets/${testsetId}/testcases`, { items: [] }, 'items'],
    ['testcase without jsonData', () => `/testsets/${testsetId}/testcases`, { items: [{}] }, 'items.0.jsonData'],
    [
      'metric with bad evalType',
      () => `/projects/${projectId}/metrics`,
      { name: 'm', evalType: 'magic', outputType: 'int' },
      'evalType',
    ],
    [
      'int threshold out of range',
      () => `/projects/${projectId}/metrics`,
      { name: 'm', evalType: 'ai', outputType: 'int', passingThreshold: 9 },
      'passingThreshold',
    ],
    [
      'float threshold out of range',
      () => `/projects/${projectId}/metrics`,
      { name: 'm', evalType: 'ai', outputType: 'float', passingThreshold: 1.5 },
      'passingThreshold',
    ],
    [
      'heuristic without config',
      () => `/projects/${projectId}/metrics`,
      { name: 'm', evalType: 'heuristic', outputType: 'boolean' },
      'heuristic',
    ],
    [
      'regex heuristic without pattern',
      () => `/projects/${projectId}/metrics`,
      { name: 'm', evalType: 'heuristic', outputType: 'boolean', heuristic: { kind: 'regex' } },
      'heuristic.pattern',
    ],
    [
      'openai_chat system without a model',
      () => `/projects/${projectId}/systems`,
      { name: 's', config: { type: 'openai_chat', messages: [{ role: 'user', content: 'hi' }] } },
      'config.model',
    ],
    [
      'openai_chat system version with a bad temperature',
      () => `/projects/${projectId}/systems`,
      {
        name: 's',
        config: { type: 'openai_chat', model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 9 },
      },
      'config.temperature',
    ],
    [
      'http system with bad url',
      () => `/projects/${projectId}/systems`,
      { name: 's', config: { type: 'http', url: 'not a url' } },
      'config.url',
    ],
    ['run with too many trials', () => `/projects/${projectId}/runs`, { metricIds: [], trials: 50 }, 'trials'],
    [
      'testset with an invalid JSON Schema',
      () => `/projects/${projectId}/testsets`,
      { name: 't', jsonSchema: { type: 'nonsense' } },
      'jsonSchema',
    ],
  ] as const)('%s → 400', async (_label, path, body, field) => {
    const res = await api.post(typeof path === 'function' ? path() : path, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect(fieldPaths(res.body)).toContain(field);
    expect(res.headers.get('x-should-retry')).toBe('false');
  });

  it('rejects bad query parameters, naming them', async () => {
    const res = await api.get('/projects?limit=1000');
    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)[0]).toBe('query.limit');
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await api.raw('POST', '/projects', '{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_json');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await api.raw('POST', '/projects', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(fieldPaths(res.body)[0]).toBe('content-type');
  });

  it('answers 413 for a body over 1 MiB and stores nothing', async () => {
    const before = (await api.get(`/testsets/${testsetId}`)).body.numTestcases;
    const big = { items: [{ jsonData: { blob: 'x'.repeat(1024 * 1024 + 10) } }] };
    const res = await api.post(`/testsets/${testsetId}/testcases`, big);
    expect(res.status).toBe(413);
    expect((await api.get(`/testsets/${testsetId}`)).body.numTestcases).toBe(before);
  });

  it('answers 404 with JSON for unknown ids and routes', async () => {
    for (const path of [
      '/projects/nope',
      '/testsets/nope',
      '/testcases/nope',
      '/metrics/nope',
      '/systems/nope',
      '/systems/versions/nope',
      '/runs/nope',
      '/records/nope',
      '/nothing-here',
    ]) {
      const res = await api.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
  });

  it('answers 404 naming the field for unknown ids in a body', async () => {
    const res = await api.post(`/projects/${projectId}/runs`, { metricIds: ['missing'], testsetId });
    expect(res.status).toBe(404);
    expect(fieldPaths(res.body)[0]).toBe('metricIds.0');
  });

  it('rejects a tampered cursor with 400', async () => {
    for (let i = 0; i < 3; i++) await api.post('/projects', { name: `p${i}` });
    const page = await api.get('/projects?limit=1');
    const cursor: string = page.body.nextCursor;
    const [body, sig] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ a: '0' })).toString('base64url');
    for (const bad of [`${forged}.${sig}`, `${body}.${sig!.slice(0, -2)}xx`, 'garbage', `${body}`]) {
      const res = await api.get(`/projects?limit=1&cursor=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(fieldPaths(res.body)[0]).toBe('cursor');
    }
    // A cursor from one list is not accepted by another.
    const other = await api.get(`/projects/${projectId}/testsets?limit=1&cursor=${encodeURIComponent(cursor)}`);
    expect(other.status).toBe(400);
  });

  it("answers Scorecard's exact error shape: details is an object, field problems under details.issues", async () => {
    const cases = [
      await api.get('/runs/nope'),
      await apiClient(stack.url, 'vk_wrong').get('/projects'),
      await api.get('/nothing-here'),
      await api.raw('POST', '/projects', '{not json', { 'content-type': 'application/json' }),
      await api.post('/projects', { name: '' }),
    ];
    expect(cases.map((c) => c.status)).toEqual([404, 401, 404, 400, 400]);
    for (const res of cases) {
      expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'details'].sort());
      expect(res.body.details).toBeTypeOf('object');
      expect(Array.isArray(res.body.details)).toBe(false);
    }
    expect(cases[0]!.body.details).toEqual({});
    expect(cases[1]!.body.details).toEqual({});
    expect(cases[4]!.body.details).toEqual({ issues: [{ path: 'name', message: expect.any(String) }] });
    const doc = (await api.get('/openapi.json')).body;
    expect(doc.components.schemas.Error.properties.details.type).toBe('object');
    expect(doc.components.schemas.Error.properties.details.properties.issues.type).toBe('array');
  });

  it('leaves nothing half-written when a batch is rejected', async () => {
    const before = await api.get(`/testsets/${testsetId}/testcases?limit=100`);
    const res = await api.post(`/testsets/${testsetId}/testcases`, {
      items: [{ jsonData: { ok: 1 } }, { notJsonData: true }],
    });
    expect(res.status).toBe(400);
    const after = await api.get(`/testsets/${testsetId}/testcases?limit=100`);
    expect(after.body.data).toHaveLength(before.body.data.length);
  });
});
