import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, fieldPaths, startTestStack } from '../support/stack.js';

// A stack built without a pipeline or a scheduler wires the named stand-ins of lambdas/core/not-configured.ts:
// each answers with a clear error (or, for the pipeline, leaves runs pending) and stores nothing it should not.
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let projectId: string;

beforeAll(async () => {
  stack = await startTestStack({ pipeline: false, monitors: false });
  api = apiClient(stack.url, stack.apiKey);
  projectId = (await api.post('/projects', { name: 'bare' })).body.id;
});
afterAll(() => stack?.stop());

describe('a deployment without a pipeline or a scheduler', () => {
  it('refuses an active monitor before storing it, and keeps an inactive one', async () => {
    const active = await api.post(`/projects/${projectId}/monitors`, { name: 'hourly', schedule: 'rate(1 hour)' });
    expect(active.status).toBe(503);
    expect(active.body.code).toBe('scheduler_unavailable');
    expect(fieldPaths(active.body)).toEqual(['active']);
    expect((await api.get(`/projects/${projectId}/monitors`)).body.data).toEqual([]);

    const inactive = await api.post(`/projects/${projectId}/monitors`, {
      name: 'later',
      schedule: 'rate(1 hour)',
      active: false,
    });
    expect(inactive.status).toBe(201);
    const activate = await api.patch(`/monitors/${inactive.body.id}`, { active: true });
    expect(activate.status).toBe(503);
    expect((await api.get(`/monitors/${inactive.body.id}`)).body.active).toBe(false);
  });

  it('answers the Playground with 503 not_configured', async () => {
    const config = { type: 'openai_chat', model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    const res = await api.post(`/projects/${projectId}/playground`, { config, inputs: {} });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'not_configured', message: expect.stringContaining('system runner') });
  });

  it('stores a run and leaves it pending: nothing executes it', async () => {
    const testset = (await api.post(`/projects/${projectId}/testsets`, { name: 't' })).body;
    await api.post(`/testsets/${testset.id}/testcases`, { items: [{ jsonData: { q: 'a' } }] });
    const res = await api.post(`/projects/${projectId}/runs`, { testsetId: testset.id, metricIds: [] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await api.get(`/runs/${res.body.id}`)).body.status).toBe('pending');
  });
});
