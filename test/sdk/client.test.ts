import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  VerdictApiError,
  VerdictClient,
  VerdictConnectionError,
  VerdictTimeoutError,
  VerdictUsageError,
} from '../../sdk/index.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** A scripted HTTP server: each test queues the replies it wants and reads back the requests it got. */
let server: Server;
let baseURL: string;
let seen: Seen[] = [];
let replies: Array<(req: Seen, res: ServerResponse) => void> = [];

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_: Seen, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const apiError = (status: number, headers: Record<string, string> = {}) =>
  json(
    status,
    { code: 'oops', message: `status ${status}`, details: { issues: [{ path: 'name', message: 'bad' }] } },
    headers,
  );

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const entry = { method: req.method!, url: req.url!, headers: req.headers, body, at: Date.now() };
      seen.push(entry);
      const reply = replies.shift() ?? json(500, { code: 'unscripted', message: 'no reply queued', details: {} });
      reply(entry, res);
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
beforeEach(() => {
  seen = [];
  replies = [];
});

const client = (options: ConstructorParameters<typeof VerdictClient>[0] = {}) =>
  new VerdictClient({ baseURL, apiKey: 'test-key', env: {}, ...options });

describe('the SDK client', () => {
  it('retries a 429 after its Retry-After, keeping one Idempotency-Key across the attempts', async () => {
    replies = [apiError(429, { 'retry-after': '1' }), json(201, { id: 'p1', name: 'x', description: '' })];
    const project = await client().projects.create({ name: 'x' });
    expect(project.id).toBe('p1');
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
    const keys = seen.map((s) => s.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^sdk-/);
    expect(keys[1]).toBe(keys[0]);
    expect(seen[0]!.headers.authorization).toBe('Bearer test-key');
    expect(seen[0]!.url).toBe('/api/v2/projects');
  });

  it.each([
    { status: 408, headers: {}, attempts: 3 },
    { status: 409, headers: {}, attempts: 3 },
    { status: 503, headers: {}, attempts: 3 },
    { status: 500, headers: { 'x-should-retry': 'false' }, attempts: 1 },
    { status: 400, headers: {}, attempts: 1 },
    { status: 404, headers: {}, attempts: 1 },
    { status: 400, headers: { 'x-should-retry': 'true' }, attempts: 3 },
  ])(
    'answers $status ($headers) with $attempts attempt(s), then a typed error',
    async ({ status, headers, attempts }) => {
      replies = Array.from({ length: 3 }, () =>
        apiError(status, { 'retry-after': '0', ...(headers as Record<string, string>) }),
      );
      const error = await client({ maxRetries: 2 })
        .runs.get('r1')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerdictApiError);
      expect(error).toMatchObject({
        status,
        code: 'oops',
        details: { issues: [{ path: 'name', message: 'bad' }] },
        issues: [{ path: 'name', message: 'bad' }],
      });
      expect(seen).toHaveLength(attempts);
    },
  );

  it('gives each POST its own Idempotency-Key, honours a given one, and sends none on GET', async () => {
    replies = [json(201, {}), json(201, {}), json(201, {}), json(200, { data: [], nextCursor: null, hasMore: false })];
    const c = client();
    await c.records.create('r1', { outputs: {} });
    await c.records.create('r1', { outputs: {} });
    await c.runs.cancel('r1', { idempotencyKey: 'mine' });
    await c.runs.list('p1').toArray();
    expect(seen[0]!.headers['idempotency-key']).not.toBe(seen[1]!.headers['idempotency-key']);
    expect(seen[2]!.headers['idempotency-key']).toBe('mine');
    expect(seen[3]!.headers['idempotency-key']).toBeUndefined();
  });

  it('times out a slow attempt, retries it, then throws VerdictTimeoutError', async () => {
    const slow = (_: Seen, res: ServerResponse) => setTimeout(() => json(200, {})(_, res), 400);
    replies = [slow, slow];
    const error = await client({ timeoutMs: 50, maxRetries: 1 })
      .runs.get('r1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerdictTimeoutError);
    expect(seen).toHaveLength(2);
  });

  it('stops at once, without retrying, when the caller aborts', async () => {
    replies = [(_: Seen, res: ServerResponse) => setTimeout(() => json(200, {})(_, res), 300)];
    const controller = new AbortController();
    const pending = client().runs.get('r1', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user gave up')), 20);
    await expect(pending).rejects.toThrow('user gave up');
    expect(seen).toHaveLength(1);
  });

  it('pages every list with an async iterator, following nextCursor until hasMore is false', async () => {
    const items = Array.from({ length: 250 }, (_, i) => ({ id: `t${i}` }));
    const page = (from: number, next: string | null) =>
      json(200, { data: items.slice(from, from + 100), nextCursor: next, hasMore: next !== null, total: 250 });
    replies = [page(0, 'c1'), page(100, 'c2'), page(200, null)];
    const got: string[] = [];
    for await (const testcase of client().testcases.list('ts1')) got.push(testcase.id);
    expect(got).toEqual(items.map((i) => i.id));
    expect(seen.map((s) => new URL(s.url, baseURL).searchParams.get('cursor'))).toEqual([null, 'c1', 'c2']);
    expect(seen.every((s) => new URL(s.url, baseURL).searchParams.get('limit') === '100')).toBe(true);
  });

  it('reads a non-JSON error body as text and still types it', async () => {
    replies = [
      (_: Seen, res: ServerResponse) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>bad gateway</html>');
      },
    ];
    const error = await client({ maxRetries: 0 })
      .projects.get('p1')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'http_error', message: expect.stringContaining('bad gateway') });
  });

  it('reports an unreachable API as a connection error, and a missing key before any request', async () => {
    const error = await new VerdictClient({ baseURL: 'http://127.0.0.1:9', apiKey: 'k', maxRetries: 0 }).projects
      .get('p1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerdictConnectionError);
    expect(() => new VerdictClient({ baseURL, env: {} })).toThrow(VerdictUsageError);
  });

  it('reads VERDICT_API_URL and VERDICT_API_KEY from the environment, with or without /api/v2', () => {
    const c = new VerdictClient({ env: { VERDICT_API_URL: 'https://verdict.example.com/', VERDICT_API_KEY: 'k' } });
    expect(c.url('/runs/r1')).toBe('https://verdict.example.com/api/v2/runs/r1');
    expect(new VerdictClient({ baseURL: 'https://x.dev/api/v2', apiKey: 'k' }).url('/p')).toBe(
      'https://x.dev/api/v2/p',
    );
  });
});
