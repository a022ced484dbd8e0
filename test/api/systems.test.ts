import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetric, seedTestset } from '../pipeline/support.js';
import { type ApiClient, apiClient, fieldPaths, startTestStack, waitForRun } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(() => stack?.stop());

/** The exact text of a JSON response, for byte-for-byte comparisons of what came back. */
async function rawJson(path: string) {
  const res = await fetch(`${stack.url}/api/v2${path}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
  return { status: res.status, text: await res.text() };
}

const project = async (name: string) => (await api.post('/projects', { name })).body.id as string;

describe('free-form system configs (Scorecard’s: the team’s own parameters)', () => {
  // Key order, nesting, unicode, numbers and a `type` Verdict does not know: everything must come back as sent.
  const CONFIG = {
    model: 'echo-1',
    temperature: 0,
    maxTokens: 1024,
    zeta: { nested: [1, 2.5, { deep: null }], 'é ✓': 'ünïcödé' },
    alpha: true,
    prompt: 'Answer {{ question }}',
  };

  it('stores a config without a type verbatim, as a system that runs outside Verdict', async () => {
    const projectId = await project('free-form');
    const created = await api.post(`/projects/${projectId}/systems`, { name: 'bot', description: 'd', config: CONFIG });
    expect(created.status).toBe(201);
    // productionVersion is the whole SystemVersion, as Scorecard's SDK types it.
    expect(created.body.productionVersion).toEqual({
      id: expect.any(String),
      systemId: created.body.id,
      name: 'v1',
      config: CONFIG,
    });
    const versionId = created.body.productionVersion.id as string;
    const sent = JSON.stringify(CONFIG);
    expect(JSON.stringify(created.body.productionVersion.config)).toBe(sent);

    const read = await rawJson(`/systems/versions/${versionId}`);
    expect(read.status).toBe(200);
    expect(read.text).toContain(`"config":${sent}`);
    const system = await rawJson(`/systems/${created.body.id}`);
    expect(system.text).toContain(`"config":${sent}`);
    const listed = await api.get(`/projects/${projectId}/systems`);
    expect(JSON.stringify(listed.body.data[0].productionVersion.config)).toBe(sent);

    // The same config (keys in another order) is the same version, renamed when a name is given: 200.
    const reordered = Object.fromEntries(Object.entries(CONFIG).reverse());
    const same = await api.post(`/systems/${created.body.id}/versions`, { config: reordered, name: 'echo at 0' });
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ id: versionId, systemId: created.body.id, name: 'echo at 0', config: CONFIG });
    expect(JSON.stringify(same.body.config)).toBe(sent);
    const renamed = (await api.get(`/systems/${created.body.id}`)).body;
    expect(renamed.versions).toEqual([{ id: versionId, name: 'echo at 0' }]);
    expect(renamed.productionVersion.name).toBe('echo at 0');
    expect((await api.get(`/systems/versions/${versionId}`)).body.name).toBe('echo at 0');
    const unnamed = await api.post(`/systems/${created.body.id}/versions`, { config: CONFIG });
    expect(unnamed.body).toMatchObject({ id: versionId, name: 'echo at 0' });

    const other = await api.post(`/systems/${created.body.id}/versions`, { config: { ...CONFIG, temperature: 0.7 } });
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ name: 'v2', config: { ...CONFIG, temperature: 0.7 } });
    // The first version stays production until PATCH says otherwise; then production is the whole version.
    const promoted = await api.patch(`/systems/${created.body.id}`, { productionVersionId: other.body.id });
    expect(promoted.body.productionVersion).toEqual(other.body);
  });

  it('keeps a config with an unknown type, and the team’s own keys next to type "external"', async () => {
    const projectId = await project('external keys');
    const unknown = { type: 'langchain-agent', chain: ['retrieve', 'answer'] };
    const a = await api.post(`/projects/${projectId}/systems`, { name: 'a', config: unknown });
    expect(a.status).toBe(201);
    expect(a.body.productionVersion.config).toEqual(unknown);
    const external = { type: 'external', model: 'echo-1', temperature: 0.2 };
    const b = await api.post(`/projects/${projectId}/systems`, { name: 'b', config: external });
    expect(b.status).toBe(201);
    expect(b.body.productionVersion.config).toEqual(external);
    expect((await api.get(`/systems/versions/${b.body.productionVersion.id}`)).body.config).toEqual(external);
  });

  it('still validates a config that names a Verdict type, naming the field', async () => {
    const projectId = await project('typed');
    const system = (await api.post(`/projects/${projectId}/systems`, { name: 's' })).body;
    const bad = await api.post(`/systems/${system.id}/versions`, {
      config: { type: 'openai_chat', model: 'gpt-4o-mini', messages: [] },
    });
    expect(bad.status).toBe(400);
    expect(fieldPaths(bad.body)).toEqual(['config.messages']);
    const badUrl = await api.post(`/systems/${system.id}/versions`, { config: { type: 'http', url: 'nope' } });
    expect(fieldPaths(badUrl.body)).toEqual(['config.url']);
    const notObject = await api.post(`/systems/${system.id}/versions`, { config: 'model=echo' });
    expect(notObject.status).toBe(400);
    expect(fieldPaths(notObject.body)).toEqual(['config']);
    const ok = await api.post(`/systems/${system.id}/versions`, {
      config: { type: 'http', url: 'http://127.0.0.1:9/x' },
    });
    expect(ok.body.config).toEqual({ type: 'http', url: 'http://127.0.0.1:9/x', method: 'POST' });
  });

  it('names a system "Default system" when the upsert leaves the name out, as Scorecard does', async () => {
    const projectId = await project('default name');
    const res = await api.post(`/projects/${projectId}/systems`, { config: { model: 'x' } });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe('Default system');
  });

  it('completes a run created with a free-form version from posted records, and refuses to kick one off', async () => {
    const { projectId, testsetId } = await seedTestset(api, 3);
    const metric = await createMetric(api, projectId, {
      name: 'exact',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'exact_match', expectedField: 'answer' },
    });
    const system = (await api.post(`/projects/${projectId}/systems`, { name: 'mine', config: CONFIG })).body;
    const versionId = system.productionVersion.id as string;

    const kickoff = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [metric.id],
      source: 'kickoff',
    });
    expect(kickoff.status).toBe(400);
    expect(kickoff.body.message).toMatch(/runs outside Verdict/);
    expect(fieldPaths(kickoff.body)).toEqual(['systemVersionId']);
    const monitor = await api.post(`/projects/${projectId}/monitors`, {
      name: 'nightly',
      schedule: 'rate(1 day)',
      active: false,
      metricIds: [metric.id],
      target: { testsetId, systemVersionId: versionId },
    });
    expect(monitor.status).toBe(400);
    expect(monitor.body.message).toMatch(/runs outside Verdict/);

    const run = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [metric.id],
    });
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ systemId: system.id, systemVersionId: versionId, numExpectedRecords: 3 });
    const testcases = (await api.get(`/testsets/${testsetId}/testcases`)).body.data;
    for (const tc of testcases) {
      const posted = await api.post(`/runs/${run.body.id}/records`, {
        testcaseId: tc.id,
        inputs: tc.inputs,
        expected: tc.expected,
        outputs: { response: tc.expected.answer },
      });
      expect(posted.status).toBe(201);
    }
    const done = await waitForRun(api, run.body.id);
    expect(done).toMatchObject({ status: 'completed', numRecords: 3, numScores: 3 });
    expect(done.aggregates[metric.versionId]).toMatchObject({ n: 3, passRate: 1 });
  });
});
