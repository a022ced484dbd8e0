import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetric, createSystemVersion, seedTestset } from '../pipeline/support.js';
import { type ApiClient, apiClient, fieldPaths, startTestStack, waitForRun } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let projectId: string;
let testsetId: string;
let correct: { id: string; versionId: string };
let quality: { id: string; versionId: string };
let systemVersionId: string;

/** Five runs over the same four testcases: per run, the human verdicts and the 1–5 ratings given. */
const RUNS = [
  { verdicts: [true, true, true, true], ratings: [5, 5, 4, 4] },
  { verdicts: [true, false, true, false], ratings: [1, 2, 3, 4] },
  { verdicts: [false, false, false, true], ratings: [3, 3, 3, 2] },
  { verdicts: [true, true, true, false], ratings: [5, 4, 1, 1] },
  { verdicts: [false, false, false, false], ratings: [2, 5, 5, 5] },
];
const created: Array<{ id: string; createdAt: string }> = [];

/** A run fed like the SDK does: records posted, then every score PUT; it completes itself. */
async function scoredRun(verdicts: boolean[], ratings: number[], source = 'api') {
  const run = (
    await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId,
      metricIds: [correct.id, quality.id],
      source,
    })
  ).body;
  const records = await Promise.all(
    verdicts.map(async (_, i) => (await api.post(`/runs/${run.id}/records`, { inputs: { question: `q${i}` } })).body),
  );
  await Promise.all(
    records.flatMap((record, i) => [
      api.put(`/records/${record.id}/scores/${correct.versionId}`, { score: { binaryScore: verdicts[i] } }),
      api.put(`/records/${record.id}/scores/${quality.versionId}`, { score: { intScore: ratings[i] } }),
    ]),
  );
  return waitForRun(api, run.id);
}

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.apiKey);
  ({ projectId, testsetId } = await seedTestset(api, 4));
  correct = await createMetric(api, projectId, { name: 'correct', evalType: 'human', outputType: 'boolean' });
  quality = await createMetric(api, projectId, { name: 'quality', evalType: 'human', outputType: 'int' });
  systemVersionId = await createSystemVersion(api, projectId, 'agent', { type: 'external' });
  for (const { verdicts, ratings } of RUNS) {
    const run = await scoredRun(verdicts, ratings);
    expect(run.status).toBe('completed');
    created.push(run);
  }
  // Neither of these is a point: one run never finishes, the other is a monitor's (filtered by source below).
  const unfinished = (await api.post(`/projects/${projectId}/runs`, { testsetId, metricIds: [correct.id] })).body;
  await api.post(`/runs/${unfinished.id}/records`, {});
  created.push(await scoredRun([true, true, true, true], [5, 5, 5, 5], 'monitor'));
}, 60_000);
afterAll(() => stack?.stop());

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('GET /projects/{id}/run-history', () => {
  it('gives each completed run’s exact pass rate (boolean) and mean (int), oldest first', async () => {
    const res = await api.get(`/projects/${projectId}/run-history?metricIds=${correct.id},${quality.id}&source=api`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.hasMore).toBe(false);
    const [bool, int] = res.body.metrics;
    expect(bool).toMatchObject({ metricId: correct.id, name: 'correct', outputType: 'boolean' });
    expect(int).toMatchObject({ metricId: quality.id, name: 'quality', outputType: 'int' });
    expect(bool.points.map((p: { runId: string }) => p.runId)).toEqual(created.slice(0, 5).map((r) => r.id));
    expect(bool.points.map((p: object) => ({ ...p, createdAt: undefined }))).toEqual(
      RUNS.map(({ verdicts }, i) => ({
        runId: created[i]!.id,
        runName: null,
        createdAt: undefined,
        metricVersionId: correct.versionId,
        value: verdicts.filter(Boolean).length / verdicts.length,
        passed: verdicts.filter(Boolean).length,
        failed: verdicts.filter((v) => !v).length,
        n: 4,
        systemVersion: { id: systemVersionId, name: expect.any(String) },
      })),
    );
    expect(
      int.points.map((p: { value: number; passed: number; failed: number; n: number }) => [
        p.value,
        p.passed,
        p.failed,
        p.n,
      ]),
    ).toEqual(
      RUNS.map(({ ratings }) => [
        mean(ratings),
        ratings.filter((r) => r >= 4).length,
        ratings.filter((r) => r < 4).length,
        4,
      ]),
    );
  });

  it('filters by source and by a creation-time window, and pages older runs with a cursor', async () => {
    const all = await api.get(`/projects/${projectId}/run-history?metricIds=${correct.id}`);
    expect(all.body.metrics[0].points.map((p: { runId: string }) => p.runId)).toEqual(created.map((r) => r.id));
    const monitor = await api.get(`/projects/${projectId}/run-history?metricIds=${correct.id}&source=monitor`);
    expect(monitor.body.metrics[0].points.map((p: { value: number }) => p.value)).toEqual([1]);

    const window = `from=${encodeURIComponent(created[1]!.createdAt)}&to=${encodeURIComponent(created[4]!.createdAt)}`;
    const ranged = await api.get(`/projects/${projectId}/run-history?metricIds=${quality.id}&${window}`);
    expect(ranged.body.metrics[0].points.map((p: { runId: string }) => p.runId)).toEqual(
      created.slice(1, 4).map((r) => r.id),
    );

    const first = await api.get(`/projects/${projectId}/run-history?metricIds=${quality.id}&source=api&limit=2`);
    expect(first.body.hasMore).toBe(true);
    expect(first.body.metrics[0].points.map((p: { runId: string }) => p.runId)).toEqual([
      created[3]!.id,
      created[4]!.id,
    ]);
    const rest = await api.get(
      `/projects/${projectId}/run-history?metricIds=${quality.id}&source=api&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(rest.body.metrics[0].points.map((p: { runId: string }) => p.runId)).toEqual([
      created[1]!.id,
      created[2]!.id,
    ]);
  });

  it('defaults to every metric the runs used, and names unknown metrics and bad cursors', async () => {
    const res = await api.get(`/projects/${projectId}/run-history`);
    expect(res.body.metrics.map((m: { metricId: string }) => m.metricId).sort()).toEqual(
      [correct.id, quality.id].sort(),
    );
    const unknown = await api.get(`/projects/${projectId}/run-history?metricIds=${correct.id},nope`);
    expect(unknown.status).toBe(404);
    expect(fieldPaths(unknown.body)[0]).toBe('metricIds.1');
    const page = await api.get(`/projects/${projectId}/run-history?metricIds=${quality.id}&limit=1`);
    const replay = await api.get(
      `/projects/${projectId}/run-history?metricIds=${correct.id}&limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`,
    );
    expect(replay.status).toBe(400);
  });

  it('keeps run notes and names editable, and lists runs by source through the index', async () => {
    const patched = await api.patch(`/runs/${created[0]!.id}`, { notes: 'baseline', name: 'v1' });
    expect(patched.body).toMatchObject({ notes: 'baseline', name: 'v1' });
    const monitors = await api.get(`/projects/${projectId}/runs?source=monitor`);
    expect(monitors.body.data.map((r: { id: string }) => r.id)).toEqual([created[5]!.id]);
  });
});
