import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAgent, type FakeLLM, startFakeAgent, startFakeLLM } from '../support/fake-llm.js';
import { type ApiClient, fieldPaths } from '../support/stack.js';
import { createSystem, runOnce, runVersion, seedProject, type TestStack, twoOrganizations } from './support.js';

/**
 * Issue 12, point 2: templates used to read any environment variable of the server (`{{ secrets.OPENAI_API_KEY }}`
 * sent the server's LLM key to a host the tenant chose; HOME and VERDICT_DATA_DIR came through too), and an
 * openai_chat system with its own baseURL got the server's key. Secrets now belong to a project.
 */
const ENV_NAME = 'VERDICT_TEST_ENV_ONLY';

let stack: TestStack;
let a: ApiClient;
let b: ApiClient;
let aSeed: Awaited<ReturnType<typeof seedProject>>;
let bSeed: Awaited<ReturnType<typeof seedProject>>;
let agent: FakeAgent;
let serverLlm: FakeLLM;
let tenantLlm: FakeLLM;

beforeAll(async () => {
  // A variable of the server's environment that a template must never reach (the worker copies env at start).
  process.env[ENV_NAME] = 'from-the-server-environment';
  [agent, serverLlm, tenantLlm] = await Promise.all([startFakeAgent(), startFakeLLM(), startFakeLLM()]);
  ({ stack, a, b } = await twoOrganizations({
    pipeline: { openaiApiKey: 'sk-server-key', openaiBaseURL: `${serverLlm.url}/v1` },
  }));
  [aSeed, bSeed] = await Promise.all([seedProject(a), seedProject(b)]);
});
afterAll(async () => {
  delete process.env[ENV_NAME];
  await stack?.stop();
  await Promise.all([agent, serverLlm, tenantLlm].map((s) => s?.close()));
});
beforeEach(() => {
  for (const server of [agent, serverLlm, tenantLlm]) server.requests.length = 0;
});

const agentWith = (headers: Record<string, string>) => ({ type: 'http', url: `${agent.url}/agent`, headers });
const chatWith = (extra: Record<string, unknown>) => ({
  type: 'openai_chat',
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: '{{ question }}' }],
  ...extra,
});

describe('project secret routes', () => {
  it('register, list and delete a secret without ever returning its value', async () => {
    const path = `/projects/${aSeed.projectId}/secrets`;
    const first = await a.put(`${path}/ROUTE_TOKEN`, { value: 'first-value' });
    const second = await a.put(`${path}/ROUTE_TOKEN`, { value: 'second-value' });
    const list = await a.get(path);

    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['createdAt', 'name', 'updatedAt']);
    expect(second.body).toMatchObject({ name: 'ROUTE_TOKEN', createdAt: first.body.createdAt });
    expect(list.status).toBe(200);
    expect(list.body.data).toContainEqual(second.body);
    expect(list.body.hasMore).toBe(false);
    expect(JSON.stringify([first.body, second.body, list.body])).not.toMatch(/first-value|second-value/);
    expect((await a.delete(`${path}/ROUTE_TOKEN`)).body).toEqual({ success: true });
    expect((await a.delete(`${path}/ROUTE_TOKEN`)).status).toBe(404);
    expect((await a.get(path)).body.data.map((s: { name: string }) => s.name)).not.toContain('ROUTE_TOKEN');
  });

  it('keeps values in a store file only its owner can read', async () => {
    await a.put(`/projects/${aSeed.projectId}/secrets/FILE_TOKEN`, { value: 'on-disk' });

    expect(statSync(join(stack.dataDir, 'project-secrets.json')).mode & 0o777).toBe(0o600);
  });

  it.each([
    { path: 'bad name', body: { value: 'v' }, field: 'path.name' },
    { path: 'TOKEN', body: { value: '' }, field: 'value' },
    { path: 'TOKEN', body: { value: 'a\r\nx-injected: 1' }, field: 'value' },
    { path: 'TOKEN', body: {}, field: 'value' },
  ])('answers 400 naming $field for $body at $path', async ({ path, body, field }) => {
    const res = await a.put(`/projects/${aSeed.projectId}/secrets/${encodeURIComponent(path)}`, body);

    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)).toEqual([field]);
  });

  it('answers 404 on another organization’s project, for every route', async () => {
    await a.put(`/projects/${aSeed.projectId}/secrets/PRIVATE_TOKEN`, { value: 'alice' });
    const path = `/projects/${aSeed.projectId}/secrets`;

    expect((await b.put(`${path}/PRIVATE_TOKEN`, { value: 'mallory' })).status).toBe(404);
    expect((await b.get(path)).status).toBe(404);
    expect((await b.delete(`${path}/PRIVATE_TOKEN`)).status).toBe(404);
    expect((await a.get(path)).body.data.map((s: { name: string }) => s.name)).toContain('PRIVATE_TOKEN');
  });

  it('are in the OpenAPI document', async () => {
    const paths = Object.keys((await a.get('/openapi.json')).body.paths);

    expect(paths).toEqual(
      expect.arrayContaining(['/projects/{projectId}/secrets', '/projects/{projectId}/secrets/{name}']),
    );
  });
});

describe('secrets in system configs', () => {
  it.each([
    { name: 'the server’s LLM key', header: '{{ secrets.OPENAI_API_KEY }}' },
    { name: 'HOME', header: 'Bearer {{ secrets.HOME }}' },
    { name: 'the data dir', header: "{{ secrets['VERDICT_DATA_DIR'] }}" },
    { name: 'any environment variable', header: `{{secrets.${ENV_NAME}}}` },
  ])('refuses a header naming $name, which the project has not registered, with a 400', async ({ header }) => {
    const upsert = await createSystem(b, bSeed.projectId, agentWith({ x: header }));
    const system = await createSystem(b, bSeed.projectId, { type: 'external' }, 'plain');
    const version = await b.post(`/systems/${system.body.id}/versions`, { config: agentWith({ x: header }) });

    for (const res of [upsert, version]) {
      expect(res.status).toBe(400);
      expect(fieldPaths(res.body)).toEqual(['config.headers.x']);
      expect(JSON.stringify(res.body)).toMatch(/is not registered for this project/);
    }
  });

  it('sends a registered project secret to the agent, and each organization gets its own of the same name', async () => {
    expect((await a.put(`/projects/${aSeed.projectId}/secrets/AGENT_TOKEN`, { value: 'alice-token' })).status).toBe(
      200,
    );
    expect((await b.put(`/projects/${bSeed.projectId}/secrets/AGENT_TOKEN`, { value: 'bob-token' })).status).toBe(200);
    const config = agentWith({ authorization: 'Bearer {{ secrets.AGENT_TOKEN }}' });

    const fromA = await runOnce(a, aSeed, config);
    const fromB = await runOnce(b, bSeed, config);

    expect([fromA.status, fromB.status]).toEqual(['completed', 'completed']);
    expect(agent.requests.map((r) => r.headers.authorization)).toEqual(['Bearer alice-token', 'Bearer bob-token']);
  });

  it('never reads another organization’s secret: a name only A registered is a 400 for B', async () => {
    await a.put(`/projects/${aSeed.projectId}/secrets/ONLY_ALICE`, { value: 'alice' });

    const res = await createSystem(b, bSeed.projectId, agentWith({ authorization: '{{ secrets.ONLY_ALICE }}' }));

    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)).toEqual(['config.headers.authorization']);
  });

  it('errors the record, never falling back to the environment, when a secret is deleted after the system was made', async () => {
    await a.put(`/projects/${aSeed.projectId}/secrets/${ENV_NAME}`, { value: 'registered' });
    const config = agentWith({ 'x-token': `{{ secrets.${ENV_NAME} }}` });
    const system = await createSystem(a, aSeed.projectId, config, 'deleted-secret');
    expect(system.status).toBe(201);
    await a.delete(`/projects/${aSeed.projectId}/secrets/${ENV_NAME}`);

    const record = await runVersion(a, aSeed, system.body.productionVersion.id);

    expect(record.status).toBe('errored');
    expect(record.error).toMatch(new RegExp(`secret "${ENV_NAME}", which is not registered for this project`));
    expect(agent.requests.map((r) => r.headers['x-token'])).not.toContain('from-the-server-environment');
  });
});

describe('an openai_chat system with its own baseURL', () => {
  it('must bring its own registered apiKeySecret: a 400 naming config.apiKeySecret otherwise', async () => {
    const withoutKey = await createSystem(b, bSeed.projectId, chatWith({ baseURL: `${tenantLlm.url}/v1` }));
    const unregistered = await createSystem(
      b,
      bSeed.projectId,
      chatWith({ baseURL: `${tenantLlm.url}/v1`, apiKeySecret: 'OPENAI_API_KEY' }),
    );

    for (const res of [withoutKey, unregistered]) {
      expect(res.status).toBe(400);
      expect(fieldPaths(res.body)).toEqual(['config.apiKeySecret']);
    }
    expect(JSON.stringify(withoutKey.body)).toMatch(/is required with baseURL/);
  });

  it('sends its own key to its own baseURL and the server’s key only to the server’s endpoint', async () => {
    await b.put(`/projects/${bSeed.projectId}/secrets/LLM_KEY`, { value: 'sk-bob' });

    const own = await runOnce(b, bSeed, chatWith({ baseURL: `${tenantLlm.url}/v1`, apiKeySecret: 'LLM_KEY' }));
    const server = await runOnce(b, bSeed, chatWith({}));

    expect([own.status, server.status]).toEqual(['completed', 'completed']);
    expect(tenantLlm.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-bob']);
    expect(serverLlm.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-server-key']);
  });

  it('refuses a baseURL the outbound policy refuses by itself, naming config.baseURL', async () => {
    await b.put(`/projects/${bSeed.projectId}/secrets/LLM_KEY`, { value: 'sk-bob' });

    const res = await createSystem(
      b,
      bSeed.projectId,
      chatWith({ baseURL: 'http://169.254.169.254/latest/', apiKeySecret: 'LLM_KEY' }),
    );

    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)).toEqual(['config.baseURL']);
  });
});
