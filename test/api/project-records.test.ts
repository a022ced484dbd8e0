import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord, Score } from '../../lambdas/core/schemas/record.js';
import { makeRecord, makeScore, seedRecords } from '../support/records.js';
import { type ApiClient, type ApiResponse, apiClient, fieldPaths, startTestStack } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let projectId: string;
let correct: { id: string; versionId: string };
let quality: { id: string; versionId: string };
const runs: Record<'a' | 'b' | 'c', { id: string; source: string }> = {} as never;
const seeded: Array<{ record: RunRecord; run: 'a' | 'b' | 'c'; scores: Score[] }> = [];

const N = 2_000;
const BASE = Date.now() - 3_600_000;
const BIG = 1_234;
const runOf = (g: number) => (g % 5 < 2 ? 'a' : g % 5 < 4 ? 'b' : 'c') as 'a' | 'b' | 'c';
const timeOf = (g: number) => BASE + g * 37;

beforeAll(async () => {
  stack = await startTestStack({ pipeline: false });
  api = apiClient(stack.url, stack.apiKey);
  projectId = (await api.post('/projects', { name: 'records page' })).body.id;
  correct = (
    await api.post(`/projects/${projectId}/metrics`, { name: 'correct', evalType: 'human', outputType: 'boolean' })
  ).body;
  quality = (
    await api.post(`/projects/${projectId}/metrics`, { name: 'quality', evalType: 'human', outputType: 'int' })
  ).body;
  const create = async (metricIds: string[], source: string) =>
    (await api.post(`/projects/${projectId}/runs`, { metricIds, source })).body;
  runs.a = await create([correct.id, quality.id], 'api');
  runs.b = await create([correct.id], 'monitor');
  runs.c = await create([quality.id], 'playground');

  const allScores: Array<Score & { runId: string }> = [];
  for (let g = 0; g < N; g++) {
    const run = runOf(g);
    const errored = g % 7 === 0;
    const record = makeRecord({
      runId: runs[run].id,
      createdAtMs: timeOf(g),
      testcaseId: `tc${g % 11}`,
      status: errored ? 'errored' : 'completed',
      error: errored ? 'boom' : null,
      inputs: { question: `question ${g}`, topic: g % 50 === 0 ? 'ALPHA topic' : 'general' },
      expected: { answer: `answer ${g}` },
      outputs: {
        response: g === BIG ? `${'x'.repeat(320_000)} hidden-marker` : g % 97 === 0 ? 'a Needle' : `reply ${g}`,
      },
      ...(g % 40 === 7 && { traceId: `trace-${g % 3}` }),
    });
    const scores: Array<Score & { runId: string }> = [];
    if (!errored && run !== 'c') {
      scores.push(makeScore(record.runId, record.id, correct, { binaryScore: g % 3 !== 0 }, g % 3 !== 0));
    }
    if (!errored && run !== 'b') {
      scores.push(makeScore(record.runId, record.id, quality, { intScore: (g % 5) + 1 }, (g % 5) + 1 >= 4));
    }
    allScores.push(...scores);
    seeded.push({ record, run, scores: scores.map(({ runId: _r, ...s }) => s) });
  }
  await seedRecords(
    stack,
    projectId,
    seeded.map((s) => s.record),
    allScores,
  );
}, 120_000);
afterAll(() => stack?.stop());

interface Walk {
  ids: string[];
  records: Array<RunRecord & { scores: Score[] }>;
  pages: Array<{ size: number; hasMore: boolean }>;
}

/** Follows cursors to the end, keeping every page's size so tests can see short pages. */
async function walk(query: string, limit: number, between?: () => Promise<void>): Promise<Walk> {
  const out: Walk = { ids: [], records: [], pages: [] };
  let cursor: string | null = null;
  for (let i = 0; i < 1_000; i++) {
    const page: ApiResponse = await api.get(
      `/projects/${projectId}/records?limit=${limit}${query ? `&${query}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    out.records.push(...page.body.data);
    out.ids.push(...page.body.data.map((r: RunRecord) => r.id));
    out.pages.push({ size: page.body.data.length, hasMore: page.body.hasMore });
    if (!page.body.hasMore) return out;
    cursor = page.body.nextCursor;
    await between?.();
  }
  throw new Error('pagination did not end');
}

const newestFirst = (rows: typeof seeded) => rows.map((s) => s.record.id).sort((a, b) => (a < b ? 1 : -1));
const text = (r: RunRecord) => JSON.stringify([r.inputs, r.expected, r.outputs]).toLowerCase();
const scoreOf = (s: (typeof seeded)[number], metricId: string) => s.scores.find((x) => x.metricId === metricId);

describe('GET /projects/{id}/records', () => {
  it('lists every record newest first, each with its run’s scores inline', async () => {
    const { records, pages } = await walk('', 100);
    expect(records.map((r) => r.id)).toEqual(newestFirst(seeded));
    expect(pages.slice(0, -1).every((p) => p.size === 100 && p.hasMore)).toBe(true);
    const byId = new Map(seeded.map((s) => [s.record.id, s]));
    for (const record of records) {
      const expected = byId.get(record.id)!;
      expect(record.runId).toBe(expected.record.runId);
      expect(record.scores.map((s) => [s.metricId, s.score, s.passed])).toEqual(
        expected.scores.map((s) => [s.metricId, s.score, s.passed]),
      );
    }
    // A record too large for DynamoDB comes back whole from its S3 overflow object.
    const big = records.find((r) => r.id === seeded[BIG]!.record.id)!;
    expect(big.outputs).toEqual(seeded[BIG]!.record.outputs);
  });

  it.each([
    ['runId', () => `runId=${runs.a.id}`, (s: (typeof seeded)[number]) => s.run === 'a', 37],
    ['status', () => 'status=errored', (s: (typeof seeded)[number]) => s.record.status === 'errored', 100],
    ['testcaseId', () => 'testcaseId=tc3', (s: (typeof seeded)[number]) => s.record.testcaseId === 'tc3', 50],
    ['traceId', () => 'traceId=trace-1', (s: (typeof seeded)[number]) => s.record.traceId === 'trace-1', 5],
    ['source', () => 'source=monitor', (s: (typeof seeded)[number]) => s.run === 'b', 100],
    [
      'metricId + passed=true',
      () => `metricId=${correct.id}&passed=true`,
      (s: (typeof seeded)[number]) => scoreOf(s, correct.id)?.passed === true,
      100,
    ],
    [
      'metricId + passed=false',
      () => `metricId=${quality.id}&passed=false`,
      (s: (typeof seeded)[number]) => scoreOf(s, quality.id)?.passed === false,
      100,
    ],
    ['metricId alone', () => `metricId=${quality.id}`, (s: (typeof seeded)[number]) => !!scoreOf(s, quality.id), 100],
    [
      'created range',
      () => `createdFrom=${new Date(timeOf(500)).toISOString()}&createdTo=${new Date(timeOf(900)).toISOString()}`,
      (s: (typeof seeded)[number]) =>
        s.record.createdAt >= new Date(timeOf(500)).toISOString() &&
        s.record.createdAt < new Date(timeOf(900)).toISOString(),
      100,
    ],
    [
      'text, any case',
      () => 'q=alpha%20TOPIC',
      (s: (typeof seeded)[number]) => text(s.record).includes('alpha topic'),
      20,
    ],
    [
      'text in a large (S3) field',
      () => 'q=HIDDEN-marker',
      (s: (typeof seeded)[number]) => s.record === seeded[BIG]!.record,
      20,
    ],
    [
      'run + metric + passed=false + status + text',
      () => `runId=${runs.a.id}&metricId=${quality.id}&passed=false&status=completed&q=question%201`,
      (s: (typeof seeded)[number]) =>
        s.run === 'a' &&
        scoreOf(s, quality.id)?.passed === false &&
        s.record.status === 'completed' &&
        text(s.record).includes('question 1'),
      10,
    ],
  ])('filters by %s: exactly the matching records, no duplicates or gaps', async (_name, query, matches, limit) => {
    const { ids } = await walk(query(), limit);
    const expected = newestFirst(seeded.filter(matches));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected);
  });

  it('bounds the reading of filters DynamoDB cannot apply: short pages that say hasMore, never a full scan', async () => {
    const sparse = await walk('q=needle', 100);
    expect(sparse.ids).toEqual(newestFirst(seeded.filter((s) => text(s.record).includes('needle'))));
    // 2,000 records at ≤ 1,000 items read per request: at least two requests, the first one short but not last.
    expect(sparse.pages.length).toBeGreaterThanOrEqual(2);
    expect(sparse.pages[0]!.size).toBeLessThan(100);
    expect(sparse.pages[0]!.hasMore).toBe(true);
    const none = await walk('q=no-such-text', 100);
    expect(none.ids).toEqual([]);
    expect(none.pages[0]).toEqual({ size: 0, hasMore: true });
  });

  it('rejects a cursor replayed under another filter, passed without metricId, and foreign ids', async () => {
    const first = await api.get(`/projects/${projectId}/records?limit=5&status=completed`);
    const replay = await api.get(
      `/projects/${projectId}/records?limit=5&status=errored&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(replay.status).toBe(400);
    expect(fieldPaths(replay.body)[0]).toBe('cursor');
    const passed = await api.get(`/projects/${projectId}/records?passed=true`);
    expect(passed.status).toBe(400);
    expect(fieldPaths(passed.body)[0]).toBe('passed');
    const other = (await api.post('/projects', { name: 'other' })).body.id;
    const foreignRun = await api.get(`/projects/${other}/records?runId=${runs.a.id}`);
    expect(foreignRun.status).toBe(404);
    expect(fieldPaths(foreignRun.body)[0]).toBe('runId');
    expect((await api.get(`/projects/${projectId}/records?status=nope`)).status).toBe(400);
  });

  it('pages without duplicates or gaps while records are being added, newer and older than the cursor', async () => {
    const before = new Set(seeded.map((s) => s.record.id));
    const added = new Set<string>();
    let k = 0;
    const addSome = async () => {
      const posted = await Promise.all(
        [0, 1].map(() => api.post(`/runs/${runs.a.id}/records`, { inputs: { question: 'late' }, outputs: {} })),
      );
      for (const p of posted) added.add(p.body.id);
      // A record written now with an id in the middle of the list (PrepareRun writes ids of its run's start time).
      const old = makeRecord({ runId: runs.b.id, createdAtMs: timeOf(37 * k++ + 3), position: 1 });
      await seedRecords(stack, projectId, [old]);
      added.add(old.id);
    };
    for (const query of ['', `metricId=${correct.id}&passed=true`]) {
      const { ids } = await walk(query, 50, addSome);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort((a, b) => (a < b ? 1 : -1))).toEqual(ids);
      const initial = query
        ? newestFirst(seeded.filter((s) => scoreOf(s, correct.id)?.passed === true))
        : newestFirst(seeded);
      expect(ids.filter((id) => before.has(id))).toEqual(initial);
      expect(ids.filter((id) => !before.has(id)).every((id) => added.has(id))).toBe(true);
    }
    expect(added.size).toBeGreaterThan(0);
  });
});
