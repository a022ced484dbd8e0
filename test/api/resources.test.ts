import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, collectPages, fieldPaths, startTestStack, waitFor } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(() => stack?.stop());

const schema = {
  type: 'object',
  properties: { question: { type: 'string' }, answer: { type: 'string' }, topic: { type: 'string' } },
  required: ['question', 'answer'],
};

describe('the Scorecard-compatible walk-through', () => {
  it('creates a project, a testset with a schema and 250 testcases in three batches, and pages them 100 at a time', async () => {
    const project = await api.post('/projects', { name: 'Support bot', description: 'evals' });
    expect(project.status).toBe(201);
    expect(project.headers.get('content-type')).toMatch(/application\/json/);

    const testset = await api.post(`/projects/${project.body.id}/testsets`, {
      name: 'FAQ',
      description: '',
      jsonSchema: schema,
      fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
    });
    expect(testset.status).toBe(201);
    expect(testset.body).toMatchObject({ name: 'FAQ', jsonSchema: schema, numTestcases: 0 });

    for (const [start, count] of [
      [0, 100],
      [100, 100],
      [200, 50],
    ] as const) {
      const items = Array.from({ length: count }, (_, i) => ({
        jsonData: { question: `q${start + i}`, answer: `a${start + i}`, topic: 'billing' },
      }));
      const res = await api.post(`/testsets/${testset.body.id}/testcases`, { items });
      expect(res.status).toBe(201);
      expect(res.body.items).toHaveLength(count);
    }
    const first = await api.get(`/testsets/${testset.body.id}/testcases?limit=100`);
    expect(first.body).toMatchObject({ hasMore: true, total: 250 });
    expect(first.body.data[0]).toMatchObject({
      inputs: { question: 'q0' },
      expected: { answer: 'a0' },
      testsetId: testset.body.id,
    });
    expect(first.body.data[0].jsonData.topic).toBe('billing');

    const all = await collectPages<{ id: string; inputs: { question: string } }>(
      api,
      `/testsets/${testset.body.id}/testcases`,
      100,
    );
    expect(all.map((t) => t.inputs.question)).toEqual(Array.from({ length: 250 }, (_, i) => `q${i}`));
    expect((await api.get(`/testsets/${testset.body.id}`)).body.numTestcases).toBe(250);
  });

  it('stores testcases that break the schema, with their validation errors', async () => {
    const project = await api.post('/projects', { name: 'p' });
    const testset = await api.post(`/projects/${project.body.id}/testsets`, {
      name: 't',
      jsonSchema: schema,
      fieldMapping: { inputs: ['question'], expected: ['answer'] },
    });
    const res = await api.post(`/testsets/${testset.body.id}/testcases`, {
      items: [{ jsonData: { question: 42 } }, { jsonData: { question: 'ok', answer: 'fine' } }],
    });
    expect(res.status).toBe(201);
    expect(res.body.items[0].validationErrors.map((e: { message: string }) => e.message).join(' ')).toMatch(
      /string|answer/,
    );
    expect(res.body.items[1].validationErrors).toBeUndefined();

    const fixed = await api.put(`/testcases/${res.body.items[0].id}`, {
      jsonData: { question: 'now ok', answer: 'yes' },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.validationErrors).toBeUndefined();
    expect((await api.get(`/testcases/${res.body.items[0].id}`)).body.inputs).toEqual({ question: 'now ok' });

    expect((await api.post('/testcases/bulk-delete', { ids: [res.body.items[1].id] })).body).toEqual({ success: true });
    expect((await api.get(`/testcases/${res.body.items[1].id}`)).status).toBe(404);
    expect((await api.get(`/testsets/${testset.body.id}`)).body.numTestcases).toBe(1);
  });

  it('fills metric defaults per variant and versions every change', async () => {
    const project = await api.post('/projects', { name: 'metrics' });
    const path = `/projects/${project.body.id}/metrics`;
    const int = await api.post(path, { name: 'Helpful', evalType: 'ai', outputType: 'int', guidelines: 'Be helpful' });
    expect(int.status).toBe(201);
    expect(int.body).toMatchObject({
      evalModelName: 'gpt-4o',
      temperature: 0,
      passingThreshold: 4,
      evalType: 'ai',
      outputType: 'int',
    });
    expect(int.body.promptTemplate).toContain('{{');
    const float = await api.post(path, { name: 'Sim', evalType: 'ai', outputType: 'float' });
    expect(float.body.passingThreshold).toBe(0.9);
    const bool = await api.post(path, {
      name: 'Exact',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'exact_match' },
    });
    expect(bool.status).toBe(201);
    expect(bool.body.passingThreshold).toBeUndefined();
    const human = await api.post(path, { name: 'Review', evalType: 'human', outputType: 'int' });
    expect(human.body).toMatchObject({ evalType: 'human', passingThreshold: 4 });

    const patched = await api.patch(`/metrics/${int.body.id}`, {
      evalType: 'ai',
      outputType: 'int',
      passingThreshold: 3,
      otelLinkId: 'x',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: int.body.id, passingThreshold: 3, guidelines: 'Be helpful' });
    expect(patched.body.versionId).not.toBe(int.body.versionId);
    expect((await api.get(`/metrics/${int.body.id}`)).body.versionId).toBe(patched.body.versionId);

    const list = await api.get(path);
    expect(list.body.data).toHaveLength(4);
    expect((await api.delete(`/metrics/${human.body.id}`)).body).toEqual({ success: true });
    expect((await api.get(`/metrics/${human.body.id}`)).status).toBe(404);
  });

  it('upserts systems by name and versions by config', async () => {
    const project = await api.post('/projects', { name: 'systems' });
    const config = {
      type: 'openai_chat',
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: '{{ question }}' }],
    };
    const created = await api.post(`/projects/${project.body.id}/systems`, { name: 'bot', description: 'v' });
    expect(created.status).toBe(201);
    const again = await api.post(`/projects/${project.body.id}/systems`, { name: 'bot', description: 'v2' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(again.body.description).toBe('v2');

    const v1 = await api.post(`/systems/${created.body.id}/versions`, { config });
    expect(v1.status).toBe(200);
    const same = await api.post(`/systems/${created.body.id}/versions`, {
      config: { messages: config.messages, model: config.model, type: 'openai_chat' },
    });
    expect(same.body.id).toBe(v1.body.id);
    const v2 = await api.post(`/systems/${created.body.id}/versions`, { config: { ...config, temperature: 0.5 } });
    expect(v2.body.id).not.toBe(v1.body.id);

    const system = await api.get(`/systems/${created.body.id}`);
    expect(system.body.versions.map((v: { id: string }) => v.id)).toEqual([v1.body.id, v2.body.id]);
    expect(system.body.productionVersion.id).toBe(v1.body.id);
    expect((await api.get(`/systems/versions/${v2.body.id}`)).body.config.temperature).toBe(0.5);
    const promoted = await api.patch(`/systems/${created.body.id}`, { productionVersionId: v2.body.id });
    expect(promoted.body.productionVersion.id).toBe(v2.body.id);
  });

  it('creates a run, takes records with scores, and reads them back inline', async () => {
    const project = await api.post('/projects', { name: 'runs' });
    const pid = project.body.id;
    const testset = await api.post(`/projects/${pid}/testsets`, {
      name: 't',
      fieldMapping: { inputs: ['q'], expected: ['a'] },
    });
    await api.post(`/testsets/${testset.body.id}/testcases`, {
      items: [{ jsonData: { q: '1', a: '1' } }, { jsonData: { q: '2', a: '2' } }],
    });
    const exact = await api.post(`/projects/${pid}/metrics`, {
      name: 'exact',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'exact_match' },
    });
    const quality = await api.post(`/projects/${pid}/metrics`, {
      name: 'quality',
      evalType: 'human',
      outputType: 'int',
    });
    const system = await api.post(`/projects/${pid}/systems`, { name: 's', config: { type: 'external' } });

    const run = await api.post(`/projects/${pid}/runs`, {
      testsetId: testset.body.id,
      systemVersionId: system.body.productionVersion.id,
      metricIds: [exact.body.id, quality.body.id],
      otelLinkId: 'ignored',
    });
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({
      numRecords: 0,
      numExpectedRecords: 2,
      numScores: 0,
      metricIds: [exact.body.id, quality.body.id],
      metricVersionIds: [exact.body.versionId, quality.body.versionId],
      source: 'api',
    });

    const rec = await api.post(`/runs/${run.body.id}/records`, {
      inputs: { q: '1' },
      expected: { a: '1' },
      outputs: { response: '1' },
      traceId: 'otel-4bf92f3577b34da6',
    });
    expect(rec.status).toBe(201);
    expect(rec.body.traceId).toBe('otel-4bf92f3577b34da6');
    expect((await api.get(`/records/${rec.body.id}`)).body.traceId).toBe('otel-4bf92f3577b34da6');
    const badTrace = await api.post(`/runs/${run.body.id}/records`, { outputs: {}, traceId: '' });
    expect(badTrace.status).toBe(400);
    expect(fieldPaths(badTrace.body)[0]).toBe('traceId');
    const score = await api.put(`/records/${rec.body.id}/scores/${quality.body.versionId}`, {
      score: { intScore: 5, reasoning: 'great' },
    });
    expect(score.status).toBe(200);
    expect(score.body).toMatchObject({ passed: true, metricConfigId: quality.body.versionId });
    const rescored = await api.put(`/records/${rec.body.id}/scores/${quality.body.versionId}`, {
      score: { intScore: 2, reasoning: 'meh' },
    });
    expect(rescored.body.passed).toBe(false);
    const wrongType = await api.put(`/records/${rec.body.id}/scores/${quality.body.versionId}`, {
      score: { binaryScore: true },
    });
    expect(wrongType.status).toBe(400);
    expect(fieldPaths(wrongType.body)[0]).toBe('score.intScore');

    // The heuristic metric is scored by the pipeline as soon as the record arrives.
    const after = await waitFor(async () => {
      const r = await api.get(`/runs/${run.body.id}`);
      return r.body.statusExplanation[exact.body.versionId].scored === 1 ? r.body : undefined;
    }, 'the heuristic score');
    expect(after).toMatchObject({ numRecords: 1, numScores: 2, status: 'running_execution' });
    expect(after.statusExplanation[quality.body.versionId]).toEqual({ scored: 1, errored: 0, total: 1 });
    const records = await api.get(`/runs/${run.body.id}/records`);
    expect(records.body.data).toHaveLength(1);
    const byMetric = Object.fromEntries(
      records.body.data[0].scores.map((s: { metricConfigId: string }) => [s.metricConfigId, s]),
    );
    expect(byMetric[quality.body.versionId].score).toEqual({ intScore: 2, reasoning: 'meh' });
    expect(byMetric[exact.body.versionId]).toMatchObject({ status: 'completed', passed: false });

    expect((await api.delete(`/records/${rec.body.id}`)).body).toEqual({ success: true });
    expect((await api.get(`/records/${rec.body.id}`)).status).toBe(404);
  });
});
