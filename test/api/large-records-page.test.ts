import { readFileSync } from 'node:fs';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../lambdas/api/app.js';
import { apiGatewaySourceIp, lambdaHandler } from '../../lambdas/api/lambda-adapter.js';
import type { OmittedField, RunRecord } from '../../lambdas/core/schemas/record.js';
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

describe('a record that alone would pass the response budget', () => {
  /** Over Lambda's 6 MB limit by itself, before escaping; its output overflows to S3. */
  const HUGE_BYTES = 6_500_000;
  let hugeRunId: string;
  let small: RunRecord;
  let huge: RunRecord;
  let after: RunRecord;

  beforeAll(async () => {
    hugeRunId = (await api.post(`/projects/${projectId}/runs`, { metricIds: [] })).body.id;
    const base = Date.now() - 30_000;
    const at = (position: number, outputs: Record<string, unknown>) =>
      makeRecord({ runId: hugeRunId, createdAtMs: base, position, inputs: { question: `q${position}` }, outputs });
    small = at(0, { response: 'short' });
    huge = at(1, { response: 'say "hi" \\ '.repeat(Math.ceil(HUGE_BYTES / 11)), tokens: 7 });
    after = at(2, { response: 'also short' });
    await seedRecords(stack, projectId, [small, huge, after]);
  }, 120_000);

  /** The record as answered: small fields whole, the output replaced by a marker naming it and its link. */
  function expectOmittedOutput(record: { [key: string]: unknown; omittedFields?: OmittedField[] }) {
    expect(record.id).toBe(huge.id);
    expect(record.inputs).toEqual(huge.inputs);
    expect(record.expected).toEqual(huge.expected);
    expect(record.omittedFields).toHaveLength(1);
    const omitted = record.omittedFields![0]!;
    expect(omitted).toMatchObject({
      recordId: huge.id,
      field: 'outputs',
      bytes: Buffer.byteLength(JSON.stringify(huge.outputs)),
      href: `/api/v2/records/${huge.id}/fields/outputs`,
    });
    expect(Date.parse(omitted.expiresAt)).toBeGreaterThan(Date.now());
    expect(record.outputs).toEqual({ $omitted: omitted });
    return omitted;
  }

  /** What the link serves: the record's large fields as one JSON object, this one whole under its name. */
  async function fetchField(omitted: { url: string; field: string }) {
    const res = await fetch(omitted.url);
    expect(res.status).toBe(200);
    return ((await res.json()) as Record<string, unknown>)[omitted.field];
  }

  it('GET /runs/{id}/records answers it under the limit with its output left out, and the link serves it whole', async () => {
    const seen: string[] = [];
    let omitted: OmittedField | undefined;
    let cursor: string | null = null;
    do {
      const query = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { result, bytes, body } = await viaLambda(`/api/v2/runs/${hugeRunId}/records`, query);
      expect(result.statusCode, result.body.slice(0, 300)).toBe(200);
      expect(bytes).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
      for (const record of body.data) {
        seen.push(record.id);
        if (record.id === huge.id) omitted = expectOmittedOutput(record);
        else expect(record.omittedFields).toBeUndefined();
      }
      cursor = body.hasMore ? body.nextCursor : null;
    } while (cursor);

    expect(seen).toEqual([small.id, huge.id, after.id]);
    expect(await fetchField(omitted!)).toEqual(huge.outputs);
  });

  it('GET /records/{id} and the project’s records page do the same', async () => {
    const one = await viaLambda(`/api/v2/records/${huge.id}`, '');
    expect(one.result.statusCode).toBe(200);
    expect(one.bytes).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
    expectOmittedOutput(one.body);

    const page = await viaLambda(`/api/v2/projects/${projectId}/records`, `limit=1&runId=${hugeRunId}&q=hi`);
    expect(page.result.statusCode).toBe(200);
    expect(page.bytes).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
    expectOmittedOutput(page.body.data[0]);
  });

  it('GET /records/{id}/fields/{field} gives a fresh link; fields kept inline and unknown ones say so', async () => {
    const fresh = await api.get(`/records/${huge.id}/fields/outputs`);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ recordId: huge.id, field: 'outputs' });
    expect(await fetchField(fresh.body)).toEqual(huge.outputs);
    // The inputs were small, but they live in the same S3 object as the output, so they have a link too.
    expect(await fetchField((await api.get(`/records/${huge.id}/fields/inputs`)).body)).toEqual(huge.inputs);

    const inline = await api.get(`/records/${small.id}/fields/outputs`);
    expect(inline.status).toBe(409);
    expect(inline.body.details.issues[0].path).toBe('field');
    const unknownField = await api.get(`/records/${huge.id}/fields/score`);
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.body)).toContain('field');
    expect((await api.get('/records/01ABSENTRECORD/fields/outputs')).status).toBe(404);
  });
});
