import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKey } from '../../lambdas/core/services/api-keys.js';
import { type ApiClient, apiClient, fieldPaths, startTestStack } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let alice: ApiClient;
let bob: ApiClient;

beforeAll(async () => {
  stack = await startTestStack({ authCacheMs: 0 });
  alice = apiClient(stack.url, stack.apiKey);
  const bobKey = await createApiKey(stack.deps.apiKeys, 'org-bob', 'bob');
  bob = apiClient(stack.url, bobKey.secret);
});
afterAll(() => stack?.stop());

describe('auth', () => {
  it('refuses requests without a key, or with an unknown one, with 401', async () => {
    expect((await apiClient(stack.url).get('/projects')).status).toBe(401);
    const res = await apiClient(stack.url, 'vk_not-a-real-key').get('/projects');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
  });

  it('stores only hashes of keys', async () => {
    const { secret } = await createApiKey(stack.deps.apiKeys, 'org-x', 'x');
    const stored = await stack.deps.apiKeys.list('org-x');
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(secret).toMatch(/^vk_/);
  });

  it('stops accepting a revoked key', async () => {
    const key = await createApiKey(stack.deps.apiKeys, 'org-y', 'y');
    const client = apiClient(stack.url, key.secret);
    expect((await client.get('/projects')).status).toBe(200);
    expect(await stack.deps.apiKeys.revoke(key.keyId)).toBe(true);
    expect((await client.get('/projects')).status).toBe(401);
  });

  it('serves the OpenAPI document without a key', async () => {
    const res = await apiClient(stack.url).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/projects/{projectId}/runs',
        '/runs/{runId}/records',
        '/records/{recordId}/scores/{metricConfigId}',
      ]),
    );
  });
});

describe('tenancy: a key never sees another organization', () => {
  it('answers 404 (not 403) for every foreign id', async () => {
    const project = await alice.post('/projects', { name: 'secret project' });
    const pid = project.body.id;
    const testset = await alice.post(`/projects/${pid}/testsets`, { name: 't' });
    const tc = await alice.post(`/testsets/${testset.body.id}/testcases`, { items: [{ jsonData: { a: 1 } }] });
    const metric = await alice.post(`/projects/${pid}/metrics`, {
      name: 'm',
      evalType: 'human',
      outputType: 'boolean',
    });
    const system = await alice.post(`/projects/${pid}/systems`, { name: 's', config: { type: 'external' } });
    const run = await alice.post(`/projects/${pid}/runs`, { metricIds: [metric.body.id] });
    const record = await alice.post(`/runs/${run.body.id}/records`, { outputs: { response: 'x' } });

    for (const path of [
      `/projects/${pid}`,
      `/projects/${pid}/testsets`,
      `/testsets/${testset.body.id}`,
      `/testsets/${testset.body.id}/testcases`,
      `/testcases/${tc.body.items[0].id}`,
      `/metrics/${metric.body.id}`,
      `/systems/${system.body.id}`,
      `/systems/versions/${system.body.productionVersion.id}`,
      `/runs/${run.body.id}`,
      `/runs/${run.body.id}/records`,
      `/records/${record.body.id}`,
    ]) {
      expect((await bob.get(path)).status, path).toBe(404);
    }
    expect(
      (await bob.put(`/records/${record.body.id}/scores/${metric.body.versionId}`, { score: { binaryScore: true } }))
        .status,
    ).toBe(404);
    expect((await bob.delete(`/records/${record.body.id}`)).status).toBe(404);
    expect(
      (await bob.patch(`/metrics/${metric.body.id}`, { evalType: 'human', outputType: 'boolean', name: 'hijack' }))
        .status,
    ).toBe(404);
    expect((await bob.post(`/runs/${run.body.id}/records`, { outputs: {} })).status).toBe(404);
    expect((await bob.post('/testcases/bulk-delete', { ids: [tc.body.items[0].id] })).status).toBe(200);
    expect((await bob.get('/projects')).body.data).toEqual([]);

    // Nothing of Alice's changed.
    expect((await alice.get(`/testcases/${tc.body.items[0].id}`)).status).toBe(200);
    expect((await alice.get(`/metrics/${metric.body.id}`)).body.name).toBe('m');
    expect((await alice.get(`/records/${record.body.id}`)).status).toBe(200);
  });
});

describe('a posted record names only a testcase of its run’s testset', () => {
  const testsetWith = async (client: ApiClient, projectId: string, n: number) => {
    const testset = (await client.post(`/projects/${projectId}/testsets`, { name: 'ts' })).body;
    const items = Array.from({ length: n }, (_, i) => ({ jsonData: { i } }));
    const testcases = (await client.post(`/testsets/${testset.id}/testcases`, { items })).body.items;
    return { testsetId: testset.id as string, testcaseIds: testcases.map((t: { id: string }) => t.id) as string[] };
  };

  it('refuses a foreign organization’s testcase, another testset’s and a made-up one, naming testcaseId', async () => {
    const pid = (await alice.post('/projects', { name: 'refs' })).body.id;
    const own = await testsetWith(alice, pid, 3);
    const other = await testsetWith(alice, pid, 1);
    const bobs = await testsetWith(bob, (await bob.post('/projects', { name: 'bob refs' })).body.id, 1);
    const run = (await alice.post(`/projects/${pid}/runs`, { metricIds: [], testsetId: own.testsetId })).body;

    expect((await alice.post(`/runs/${run.id}/records`, { testcaseId: own.testcaseIds[0] })).status).toBe(201);
    for (const testcaseId of [bobs.testcaseIds[0], other.testcaseIds[0], '01jzzzzzzzzzzzzzzzzzzzzzzz']) {
      const res = await alice.post(`/runs/${run.id}/records`, { testcaseId, outputs: {} });
      expect(res.status, testcaseId).toBe(400);
      expect(fieldPaths(res.body)).toEqual(['testcaseId']);
      expect(res.headers.get('x-should-retry')).toBe('false');
    }
    // No testcase at all is fine, and so is one added to the testset after the run began.
    expect((await alice.post(`/runs/${run.id}/records`, { testcaseId: null })).status).toBe(201);
    const [late] = (await alice.post(`/testsets/${own.testsetId}/testcases`, { items: [{ jsonData: { i: 9 } }] })).body
      .items;
    expect((await alice.post(`/runs/${run.id}/records`, { testcaseId: late.id })).status).toBe(201);
    const records = (await alice.get(`/runs/${run.id}/records`)).body.data;
    expect(records.map((r: { testcaseId?: string }) => r.testcaseId ?? null).sort()).toEqual(
      [own.testcaseIds[0], null, late.id].sort(),
    );
  });

  it('refuses only the bad record of a burst posted together, and stores the others', async () => {
    const pid = (await alice.post('/projects', { name: 'mixed burst' })).body.id;
    const own = await testsetWith(alice, pid, 4);
    const run = (await alice.post(`/projects/${pid}/runs`, { metricIds: [], testsetId: own.testsetId })).body;
    // Sent at once, so they arrive in one group commit: the made-up testcase must fail its own POST alone.
    const ids = [own.testcaseIds[0], '01jzzzzzzzzzzzzzzzzzzzzzzz', own.testcaseIds[1], own.testcaseIds[2]];
    const responses = await Promise.all(ids.map((testcaseId) => alice.post(`/runs/${run.id}/records`, { testcaseId })));
    expect(responses.map((r) => r.status)).toEqual([201, 400, 201, 201]);
    expect(fieldPaths(responses[1]!.body)).toEqual(['testcaseId']);
    const records = (await alice.get(`/runs/${run.id}/records`)).body.data;
    expect(records.map((r: { testcaseId?: string }) => r.testcaseId).sort()).toEqual(
      [own.testcaseIds[0], own.testcaseIds[1], own.testcaseIds[2]].sort(),
    );
    expect((await alice.get(`/runs/${run.id}`)).body.numRecords).toBe(3);
  });

  it('checks a burst of concurrent posts with one listing of the testset and no read per record', async () => {
    const pid = (await alice.post('/projects', { name: 'burst' })).body.id;
    const { testsetId, testcaseIds } = await testsetWith(alice, pid, 40);
    const run = (await alice.post(`/projects/${pid}/runs`, { metricIds: [], testsetId })).body;
    const listIds = vi.spyOn(stack.deps.testcases, 'listIds');
    const get = vi.spyOn(stack.deps.testcases, 'get');
    try {
      const posted = await Promise.all(
        testcaseIds.map((testcaseId) => alice.post(`/runs/${run.id}/records`, { testcaseId, outputs: {} })),
      );
      expect(posted.map((r) => r.status)).toEqual(testcaseIds.map(() => 201));
      expect(listIds).toHaveBeenCalledTimes(1);
      expect(get).not.toHaveBeenCalled();
    } finally {
      listIds.mockRestore();
      get.mockRestore();
    }
  });

  it('refuses any testcaseId on a run without a testset', async () => {
    const pid = (await alice.post('/projects', { name: 'no testset' })).body.id;
    const { testcaseIds } = await testsetWith(alice, pid, 1);
    const run = (await alice.post(`/projects/${pid}/runs`, { metricIds: [] })).body;
    const res = await alice.post(`/runs/${run.id}/records`, { testcaseId: testcaseIds[0] });
    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)).toEqual(['testcaseId']);
    expect((await alice.post(`/runs/${run.id}/records`, {})).status).toBe(201);
  });
});

describe('Idempotency-Key', () => {
  it('returns the first response on a retry and creates nothing twice', async () => {
    const headers = { 'idempotency-key': 'create-project-1' };
    const first = await alice.post('/projects', { name: 'once' }, headers);
    const retry = await alice.post('/projects', { name: 'once' }, headers);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const all = (await alice.get('/projects?limit=100')).body.data.filter((p: { name: string }) => p.name === 'once');
    expect(all).toHaveLength(1);
  });

  it('converges concurrent retries on one record', async () => {
    const pid = (await alice.post('/projects', { name: 'concurrent' })).body.id;
    const run = await alice.post(`/projects/${pid}/runs`, { metricIds: [] });
    const headers = { 'idempotency-key': 'record-7' };
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        alice.post(`/runs/${run.body.id}/records`, { outputs: { response: 'x' } }, headers),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.headers.get('x-should-retry')).toBe('true');
    }
    expect((await alice.get(`/runs/${run.body.id}/records`)).body.data).toHaveLength(1);
    expect((await alice.get(`/runs/${run.body.id}`)).body.numRecords).toBe(1);
  });

  it('refuses a key reused with a different body', async () => {
    const headers = { 'idempotency-key': 'reuse' };
    expect((await alice.post('/projects', { name: 'a' }, headers)).status).toBe(201);
    const res = await alice.post('/projects', { name: 'b' }, headers);
    expect(res.status).toBe(422);
  });

  it('keeps keys per organization', async () => {
    const headers = { 'idempotency-key': 'shared-key' };
    const a = await alice.post('/projects', { name: 'x' }, headers);
    const b = await bob.post('/projects', { name: 'x' }, headers);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
  });
});
