import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, type ApiResponse, apiClient, collectPages, startTestStack } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(() => stack?.stop());

describe('cursor pagination', () => {
  it('pages through 1,000 testcases with no gaps or duplicates, at several page sizes', async () => {
    const pid = (await api.post('/projects', { name: 'pages' })).body.id;
    const tsid = (await api.post(`/projects/${pid}/testsets`, { name: 'big' })).body.id;
    for (let batch = 0; batch < 10; batch++) {
      const items = Array.from({ length: 100 }, (_, i) => ({ jsonData: { n: batch * 100 + i } }));
      expect((await api.post(`/testsets/${tsid}/testcases`, { items })).status).toBe(201);
    }
    for (const limit of [7, 20, 100]) {
      const all = await collectPages<{ jsonData: { n: number } }>(api, `/testsets/${tsid}/testcases`, limit);
      expect(all.map((t) => t.jsonData.n)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    }
    const defaultPage = await api.get(`/testsets/${tsid}/testcases`);
    expect(defaultPage.body.data).toHaveLength(20);
    expect(defaultPage.body.hasMore).toBe(true);
  });

  it('stays stable while items are inserted between pages', async () => {
    const pid = (await api.post('/projects', { name: 'stable' })).body.id;
    const run = (await api.post(`/projects/${pid}/runs`, { metricIds: [] })).body;
    for (let i = 0; i < 50; i++) await api.post(`/runs/${run.id}/records`, { outputs: { n: i } });
    const seenIds: string[] = [];
    const seenN: number[] = [];
    let cursor: string | null = null;
    let inserted = 50;
    do {
      const page: ApiResponse = await api.get(
        `/runs/${run.id}/records?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seenIds.push(...page.body.data.map((r: { id: string }) => r.id));
      seenN.push(...page.body.data.map((r: { outputs: { n: number } }) => r.outputs.n));
      cursor = page.body.nextCursor;
      // New records arrive while the client is paging (three at a time, concurrently).
      await Promise.all([0, 1, 2].map(() => api.post(`/runs/${run.id}/records`, { outputs: { n: inserted++ } })));
      if (seenIds.length > 500) break;
    } while (cursor);
    // Every record that existed before paging began is seen, in order; nothing is seen twice; pages never go back.
    expect(seenN.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect([...seenIds].sort()).toEqual(seenIds);
    // And nothing was lost: a fresh walk finds every record inserted.
    const all = await collectPages<{ outputs: { n: number } }>(api, `/runs/${run.id}/records`, 100);
    expect(all.map((r) => r.outputs.n).sort((a, b) => a - b)).toEqual(Array.from({ length: inserted }, (_, i) => i));
  });

  it('keeps records whole across pages when each record has several scores', async () => {
    const pid = (await api.post('/projects', { name: 'scored pages' })).body.id;
    const metrics = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        api.post(`/projects/${pid}/metrics`, { name, evalType: 'human', outputType: 'boolean' }),
      ),
    );
    const run = (await api.post(`/projects/${pid}/runs`, { metricIds: metrics.map((m) => m.body.id) })).body;
    for (let i = 0; i < 25; i++) {
      const rec = await api.post(`/runs/${run.id}/records`, { outputs: { n: i } });
      for (const m of metrics)
        await api.put(`/records/${rec.body.id}/scores/${m.body.versionId}`, { score: { binaryScore: i % 2 === 0 } });
    }
    const all = await collectPages<{ outputs: { n: number }; scores: unknown[] }>(api, `/runs/${run.id}/records`, 4);
    expect(all.map((r) => r.outputs.n)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(all.every((r) => r.scores.length === 3)).toBe(true);
  });
});
