import { readFileSync } from 'node:fs';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../lambdas/api/app.js';
import { apiGatewaySourceIp, lambdaHandler } from '../../lambdas/api/lambda-adapter.js';
import type { RunRecord } from '../../lambdas/core/schemas/record.js';
import { makeRecord, seedRecords } from '../support/records.js';
import { type ApiClient, apiClient, startTestStack } from '../support/stack.js';

/** What Lambda accepts as a synchronous response: 6 MB of invocation JSON. */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;
/** Each record's output is past the 300 KB overflow threshold, so it lives in S3 and comes back whole. */
const OUTPUT_BYTES = 450_000;
const RECORDS = 30;

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let handler: ReturnType<typeof lambdaHandler>;
let projectId: string;
let runId: string;
const records: RunRecord[] = [];

beforeAll(async () => {
  stack = await startTestStack({ pipeline: false, monitors: false });
  api = apiClient(stack.url, stack.apiKey);
  handler = lambdaHandler(createApp({ ...stack.deps, clientAddress: apiGatewaySourceIp }));
  projectId = (await api.post('/projects', { name: 'large records' })).body.id;
  runId = (await api.post(`/projects/${projectId}/runs`, { metricIds: [] })).body.id;
  const base = Date.now() - 60_000;
  for (let i = 0; i < RECORDS; i++) {
    // Quotes and backslashes are escaped again inside Lambda's response JSON: the budget must count that.
    const text = `${String(i).padStart(3, '0')} ${'say "hi" \\ '.repeat(Math.ceil(OUTPUT_BYTES / 11))}`;
    records.push(makeRecord({ runId, createdAtMs: base, position: i, outputs: { response: text } }));
  }
  await seedRecords(stack, projectId, records);
}, 120_000);
afterAll(() => stack?.stop());

const fixture = JSON.parse(readFileSync(new URL('./fixtures/apigw-http-v2-event.json', import.meta.url), 'utf8'));

/** GET through the Lambda adapter, as API Gateway would invoke it; returns the result and its size on the wire. */
async function viaLambda(path: string, query: string) {
  const event = {
    ...fixture,
    rawPath: path,
    rawQueryString: query,
    headers: { ...fixture.headers, authorization: `Bearer ${stack.apiKey}` },
    requestContext: { ...fixture.requestContext, http: { ...fixture.requestContext.http, method: 'GET', path } },
  };
  const result = (await handler(event, {} as Context)) as APIGatewayProxyResult;
  return { result, bytes: Buffer.byteLength(JSON.stringify(result)), body: JSON.parse(result.body) };
}

async function pageThrough(path: string, extra = '') {
  const seen: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  do {
    const query = `limit=100${extra}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { result, bytes, body } = await viaLambda(path, query);
    expect(result.statusCode, result.body.slice(0, 300)).toBe(200);
    expect(bytes).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
    for (const record of body.data) {
      // Every overflowed output is whole.
      expect(record.outputs.response).toBe(records.find((r) => r.id === record.id)?.outputs.response);
      seen.push(record.id);
    }
    pageSizes.push(body.data.length);
    cursor = body.hasMore ? body.nextCursor : null;
  } while (cursor);
  return { seen, pageSizes };
}

describe('record pages that would pass Lambda’s 6 MB response limit', () => {
  it('GET /runs/{id}/records answers fewer records with hasMore, and the cursor finds every record once', async () => {
    const { seen, pageSizes } = await pageThrough(`/api/v2/runs/${runId}/records`);

    expect(seen).toEqual(records.map((r) => r.id));
    expect(pageSizes.length).toBeGreaterThan(2);
    expect(Math.max(...pageSizes)).toBeLessThan(RECORDS);
  });

  it('GET /projects/{id}/records does the same, newest first', async () => {
    const { seen, pageSizes } = await pageThrough(`/api/v2/projects/${projectId}/records`, `&runId=${runId}`);

    expect(seen).toEqual(records.map((r) => r.id).reverse());
    expect(pageSizes.length).toBeGreaterThan(2);
  });

  it('still fills a page to its limit when the records are small', async () => {
    const res = await api.get(`/runs/${runId}/records?limit=5`);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(5);
    expect(res.body.hasMore).toBe(true);
  });
});
