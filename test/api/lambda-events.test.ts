import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../lambdas/api/app.js';
import { apiGatewaySourceIp, lambdaHandler } from '../../lambdas/api/lambda-adapter.js';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import { startTestStack } from '../support/stack.js';

/**
 * lambdas/api/handler.ts's adapter (hono/aws-lambda) fed API Gateway HTTP API payload 2.0 events shaped as API
 * Gateway delivers them (the fixture is one such event behind CloudFront: lower-case headers, comma-joined
 * repeats, the caller's address in requestContext.http.sourceIp), against the local stack's app and emulators.
 */
const recorded = JSON.parse(
  readFileSync(new URL('./fixtures/apigw-http-v2-event.json', import.meta.url), 'utf8'),
) as APIGatewayProxyEventV2;

/** The adapter's own event type (hono's), which API Gateway's payload 2.0 shape is given to as it comes. */
type AdapterEvent = Parameters<ReturnType<typeof lambdaHandler>>[0];

let stack: Awaited<ReturnType<typeof startTestStack>>;
let handler: ReturnType<typeof lambdaHandler>;
let projectId: string;
beforeAll(async () => {
  stack = await startTestStack({ pipeline: false, monitors: false });
  // As handler.ts builds it: the client address is API Gateway's sourceIp, never X-Forwarded-For.
  handler = lambdaHandler(createApp({ ...stack.deps, clientAddress: apiGatewaySourceIp }));
  projectId = (await invoke({ method: 'POST', path: '/api/v2/projects', json: { name: 'lambda events' } })).json.id;
});
afterAll(() => stack?.stop());

interface EventSpec {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  json?: unknown;
  /** A body API Gateway base64-encodes (binary, or compressed). */
  binary?: Buffer;
  /** Leave out the API key. */
  anonymous?: boolean;
}

/** The recorded event with this request's method, path, query, headers and body, as API Gateway would fill them. */
function eventOf(spec: EventSpec): APIGatewayProxyEventV2 {
  const body = spec.binary
    ? spec.binary.toString('base64')
    : spec.json !== undefined
      ? JSON.stringify(spec.json)
      : undefined;
  const length = spec.binary ? spec.binary.length : body ? Buffer.byteLength(body) : 0;
  const query = spec.query ?? '';
  const params = new URLSearchParams(query);
  const queryStringParameters: Record<string, string> = {};
  for (const key of new Set(params.keys())) queryStringParameters[key] = params.getAll(key).join(',');
  return {
    ...recorded,
    rawPath: spec.path,
    rawQueryString: query,
    ...(query ? { queryStringParameters } : {}),
    headers: {
      ...recorded.headers,
      'content-length': String(length),
      ...(spec.json !== undefined || spec.binary ? { 'content-type': 'application/json' } : {}),
      ...(spec.anonymous ? {} : { authorization: `Bearer ${stack.apiKey}` }),
      ...spec.headers,
    },
    requestContext: {
      ...recorded.requestContext,
      http: { ...recorded.requestContext.http, method: spec.method, path: spec.path },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
    },
    ...(body !== undefined ? { body, isBase64Encoded: Boolean(spec.binary) } : { isBase64Encoded: false }),
  };
}

const lambdaContext = { awsRequestId: 'lambda-request', functionName: 'verdict-api' } as Context;

async function invoke(spec: EventSpec) {
  const result = (await handler(eventOf(spec) as unknown as AdapterEvent, lambdaContext)) as APIGatewayProxyResult;
  const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  return { ...result, json: text ? JSON.parse(text) : null };
}

describe('the api Lambda on API Gateway HTTP API (payload 2.0) events', () => {
  it('takes a JSON body and answers 201 with a JSON body that is not base64', async () => {
    const res = await invoke({ method: 'POST', path: '/api/v2/projects', json: { name: 'from an event' } });

    expect(res.statusCode).toBe(201);
    expect(res.isBase64Encoded).toBe(false);
    expect(res.headers?.['content-type']).toMatch(/^application\/json/);
    expect(res.json).toMatchObject({ name: 'from an event', id: expect.any(String) });
  });

  it('decodes a base64-encoded body (isBase64Encoded: true) before validating it', async () => {
    const testset = { name: 'qa', fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] } };
    const res = await invoke({
      method: 'POST',
      path: `/api/v2/projects/${projectId}/testsets`,
      binary: Buffer.from(JSON.stringify(testset)),
    });

    expect(res.statusCode, JSON.stringify(res.json)).toBe(201);
    expect(res.json).toMatchObject({ name: 'qa', fieldMapping: testset.fieldMapping });
  });

  it('inflates a gzip OTLP body that API Gateway base64-encoded, and stores its GenAI span', async () => {
    const startMs = Date.now() - 60_000;
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'verdict.project.id', value: { stringValue: projectId } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  name: 'chat gpt-4o',
                  startTimeUnixNano: `${startMs}000000`,
                  endTimeUnixNano: `${startMs + 250}000000`,
                  attributes: [
                    { key: 'gen_ai.prompt', value: { stringValue: 'Where is my parcel?' } },
                    { key: 'gen_ai.completion', value: { stringValue: 'On its way.' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await invoke({
      method: 'POST',
      path: '/v1/traces',
      binary: gzipSync(JSON.stringify(otlp)),
      headers: { 'content-encoding': 'gzip' },
    });

    expect(res.statusCode, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toEqual({});
    const { traces } = await stack.core.repositories.traces.listWindow({ orgId: DEFAULT_ORG }, projectId, {
      start: new Date(startMs - 1_000).toISOString(),
      end: new Date().toISOString(),
      sampleRate: 1,
      accept: () => true,
      limit: 10,
    });
    expect(traces).toEqual([
      expect.objectContaining({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        inputs: expect.objectContaining({ prompt: 'Where is my parcel?' }),
        outputs: expect.objectContaining({ response: 'On its way.' }),
        latencyMs: 250,
      }),
    ]);
  });

  it('reads the query string: limit, then the cursor it handed out', async () => {
    for (const name of ['q1', 'q2', 'q3']) {
      await invoke({ method: 'POST', path: `/api/v2/projects/${projectId}/metrics`, json: metric(name) });
    }
    const first = await invoke({ method: 'GET', path: `/api/v2/projects/${projectId}/metrics`, query: 'limit=2' });
    expect(first.statusCode).toBe(200);
    expect(first.json.data).toHaveLength(2);
    expect(first.json.hasMore).toBe(true);

    const second = await invoke({
      method: 'GET',
      path: `/api/v2/projects/${projectId}/metrics`,
      query: `limit=2&cursor=${encodeURIComponent(first.json.nextCursor)}`,
    });
    expect(second.statusCode).toBe(200);
    expect([...first.json.data, ...second.json.data].map((m: { name: string }) => m.name).sort()).toEqual([
      'q1',
      'q2',
      'q3',
    ]);

    const bad = await invoke({ method: 'GET', path: `/api/v2/projects/${projectId}/metrics`, query: 'limit=0' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('limit');
  });

  it('answers an unknown path 404 and a missing key 401, as JSON', async () => {
    const missing = await invoke({ method: 'GET', path: '/api/v2/no-such-thing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.['content-type']).toMatch(/^application\/json/);
    expect(missing.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });

    const anonymous = await invoke({ method: 'GET', path: '/api/v2/projects', anonymous: true });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json.code).toBeTypeOf('string');
  });

  it('counts failed sign-ins by API Gateway’s sourceIp, not by the X-Forwarded-For a caller writes', async () => {
    const guess = (sourceIp: string, forwardedFor: string) =>
      handler(
        {
          ...eventOf({ method: 'GET', path: '/api/v2/projects', headers: { authorization: 'Bearer vk_wrong' } }),
          requestContext: {
            ...recorded.requestContext,
            http: { ...recorded.requestContext.http, sourceIp },
          },
          headers: { ...recorded.headers, authorization: 'Bearer vk_wrong', 'x-forwarded-for': forwardedFor },
        } as unknown as AdapterEvent,
        lambdaContext,
      ) as Promise<APIGatewayProxyResult>;
    // 20 failures from one address, each claiming another: the 21st is throttled all the same.
    for (let i = 0; i < 20; i++) expect((await guess('203.0.113.9', `10.0.0.${i}`)).statusCode).toBe(401);
    expect((await guess('203.0.113.9', '10.0.0.99')).statusCode).toBe(429);
    // Another address is not.
    expect((await guess('203.0.113.10', '203.0.113.9')).statusCode).toBe(401);
  });
});

function metric(name: string) {
  return { name, evalType: 'human', outputType: 'boolean' };
}
