import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemVersion, seedTestset } from '../pipeline/support.js';
import { type FakeAgent, startFakeAgent } from '../support/fake-llm.js';
import { apiClient, collectPages, fieldPaths, waitForRun } from '../support/stack.js';
import { iso, MINUTE, type MonitorStack, startMonitorStack } from './support.js';

let m: MonitorStack;
let agent: FakeAgent;
beforeAll(async () => {
  agent = await startFakeAgent();
  m = await startMonitorStack();
});
afterAll(async () => {
  await m?.stack.stop();
  await agent?.close();
});

describe('scheduling', () => {
  it('fires a rate(1 minute) monitor on each minute of the manual clock, each window once', async () => {
    const { projectId, metricId } = await m.newProject('every minute');
    const monitor = await m.createMonitor(projectId, {
      name: 'minutely',
      schedule: 'rate(1 minute)',
      metricIds: [metricId],
    });
    const t0 = m.clock.now().getTime();
    const firstFire = Math.floor(t0 / MINUTE) * MINUTE + MINUTE;
    expect(m.stack.monitors!.scheduler.list()).toContainEqual({
      monitorId: monitor.id,
      schedule: 'rate(1 minute)',
      nextAt: iso(firstFire),
    });
    await m.ingest(projectId, [
      { traceId: 'm-a', inputs: { question: 'a' }, outputs: { response: 'ok' }, timestamp: iso(firstFire - 10_000) },
      { traceId: 'm-b', inputs: { question: 'b' }, outputs: { response: 'ok' }, timestamp: iso(firstFire + 30_000) },
    ]);

    await m.clock.advance(firstFire - t0 - 1);
    expect(await m.monitorRuns(projectId)).toEqual([]);
    await m.clock.advance(1);
    const [firstRun] = await m.monitorRuns(projectId);
    expect(await m.questionsOf(firstRun.id)).toEqual(['a']);

    await m.clock.advance(MINUTE);
    const runs = await m.monitorRuns(projectId);
    expect(runs).toHaveLength(2);
    expect(await m.questionsOf(runs[0].id)).toEqual(['b']);

    // A minute without traffic fires, finds nothing and creates no run; the cursor still moves on.
    await m.clock.advance(MINUTE);
    expect(await m.monitorRuns(projectId)).toHaveLength(2);
    const after = await m.api.get(`/monitors/${monitor.id}`);
    expect(after.body).toMatchObject({ lastTickEnd: iso(firstFire + 2 * MINUTE), lastRunId: runs[0].id });
    for (const run of runs) expect((await waitForRun(m.api, run.id)).status).toBe('completed');
    await m.api.patch(`/monitors/${monitor.id}`, { active: false });
  });

  it('never fires an inactive monitor, and stops firing one that is deactivated', async () => {
    const { projectId } = await m.newProject('inactive');
    await m.ingest(
      projectId,
      Array.from({ length: 20 }, (_, i) => ({
        traceId: `i-${i}`,
        inputs: { question: `q${i}` },
        timestamp: iso(m.clock.now().getTime() + i * 10_000),
      })),
    );
    const idle = await m.createMonitor(projectId, { name: 'idle', schedule: 'rate(1 minute)', active: false });
    const busy = await m.createMonitor(projectId, { name: 'busy', schedule: 'rate(1 minute)' });
    expect(m.scheduled()).not.toContain(idle.id);
    expect(m.scheduled()).toContain(busy.id);

    const off = await m.api.patch(`/monitors/${busy.id}`, { active: false });
    expect(off.body.active).toBe(false);
    expect(m.scheduled()).not.toContain(busy.id);
    await m.clock.advance(10 * MINUTE);

    expect(await m.monitorRuns(projectId)).toEqual([]);
    expect((await m.api.get(`/monitors/${idle.id}`)).body.lastTickAt).toBeNull();

    // Reactivated, it is armed again and starts from its lookback.
    await m.api.patch(`/monitors/${busy.id}`, { active: true, lookback: '30 minutes' });
    expect(m.scheduled()).toContain(busy.id);
    await m.clock.advance(MINUTE);
    expect(await m.monitorRuns(projectId)).toHaveLength(1);
    await m.api.patch(`/monitors/${busy.id}`, { active: false });
  });

  it('removes the schedule when the monitor is deleted', async () => {
    const { projectId } = await m.newProject('deleted');
    const monitor = await m.createMonitor(projectId, { name: 'short-lived', schedule: 'cron(0/5 * * * ? *)' });
    expect(m.scheduled()).toContain(monitor.id);
    await m.ingest(projectId, [{ traceId: 'd-1', inputs: { question: 'q' }, timestamp: m.clock.now().toISOString() }]);

    const deleted = await m.api.delete(`/monitors/${monitor.id}`);

    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true });
    expect(m.scheduled()).not.toContain(monitor.id);
    expect((await m.api.get(`/monitors/${monitor.id}`)).status).toBe(404);
    await m.clock.advance(10 * MINUTE);
    expect(await m.monitorRuns(projectId)).toEqual([]);
  });

  it('runs a testset × system version target as a normal evaluation run on each tick', async () => {
    const { projectId, testsetId } = await seedTestset(m.api, 5);
    const versionId = await createSystemVersion(m.api, projectId, 'agent', { type: 'http', url: `${agent.url}/chat` });
    const monitor = await m.createMonitor(projectId, {
      name: 'nightly regression',
      schedule: 'cron(0 3 * * ? *)',
      target: { testsetId, systemVersionId: versionId },
    });

    const tick = await m.api.post(`/monitors/${monitor.id}/trigger`);

    expect(tick.body.status).toBe('created');
    const run = await waitForRun(m.api, tick.body.runId);
    expect(run).toMatchObject({ source: 'monitor', testsetId, systemVersionId: versionId, numRecords: 5 });
    expect((await m.api.post(`/monitors/${monitor.id}/trigger`)).body).toMatchObject({
      status: 'duplicate',
      runId: run.id,
    });
    await m.api.patch(`/monitors/${monitor.id}`, { active: false });
  });
});

describe('validation', () => {
  let projectId: string;
  beforeAll(async () => {
    ({ projectId } = await m.newProject('validation'));
  });

  it.each([
    [{ schedule: 'every 5 minutes' }, 'schedule'],
    [{ schedule: 'rate(5 minute)' }, 'schedule'],
    [{ schedule: 'cron(0 10 * * * *)' }, 'schedule'],
    [{ schedule: 'cron(0 25 * * ? *)' }, 'schedule'],
    [{ sampleRate: 1.5 }, 'sampleRate'],
    [{ filter: { spanName: '(unclosed' } }, 'filter.spanName'],
    [{ filter: { spanName: '(a+)+$' } }, 'filter.spanName'],
    [{ lookback: 'forever' }, 'lookback'],
  ])('refuses %j with a 400 naming %s', async (override, path) => {
    const res = await m.api.post(`/projects/${projectId}/monitors`, {
      name: 'bad',
      schedule: 'rate(1 hour)',
      ...override,
    });
    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)).toContain(path);
  });

  it('refuses a bad schedule on update too, and unknown metrics with a 404 naming the field', async () => {
    const monitor = await m.createMonitor(projectId, { name: 'ok', schedule: 'rate(1 hour)', active: false });
    const patched = await m.api.patch(`/monitors/${monitor.id}`, { schedule: 'rate(1 hours)' });
    expect(patched.status).toBe(400);
    expect(patched.body.details.issues[0]).toMatchObject({
      path: 'schedule',
      message: expect.stringMatching(/singular/),
    });
    const unknown = await m.api.post(`/projects/${projectId}/monitors`, {
      name: 'x',
      schedule: 'rate(1 hour)',
      metricIds: ['nope'],
    });
    expect(unknown.status).toBe(404);
    expect(fieldPaths(unknown.body)[0]).toBe('metricIds.0');
  });

  it('documents the monitor and trace routes in the OpenAPI document', async () => {
    const doc = (await apiClient(m.stack.url).get('/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/projects/{projectId}/monitors',
        '/monitors/{monitorId}',
        '/monitors/{monitorId}/trigger',
        '/projects/{projectId}/traces',
      ]),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Monitor', 'CreateMonitor', 'TickResult', 'IngestTraces']),
    );
  });

  it('refuses more than 500 traces in one request', async () => {
    const items = Array.from({ length: 501 }, (_, i) => ({ traceId: `x${i}` }));
    const res = await m.api.post(`/projects/${projectId}/traces`, { items });
    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)[0]).toBe('items');
  });
});

describe('OTLP/HTTP JSON on /v1/traces', () => {
  const kv = (key: string, value: string | number) => ({
    key,
    value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value },
  });
  const exportRequest = (startMs: number, resourceAttributes = [kv('service.name', 'checkout')]) => ({
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes },
        scopeSpans: [
          {
            scope: { name: 'opentelemetry.instrumentation.openai' },
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name: 'chat gpt-4o',
                startTimeUnixNano: `${startMs}000000`,
                endTimeUnixNano: `${startMs + 800}000000`,
                attributes: [
                  kv('gen_ai.request.model', 'gpt-4o'),
                  kv('gen_ai.prompt', 'Is my order late?'),
                  kv('gen_ai.completion', 'It is ok, it ships today.'),
                ],
              },
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'aaa19b7ec3c1b174',
                name: 'GET /orders',
                startTimeUnixNano: `${startMs}000000`,
                attributes: [kv('http.method', 'GET')],
              },
            ],
          },
        ],
      },
    ],
  });
  const post = (body: unknown, headers: Record<string, string>, raw?: Uint8Array) =>
    fetch(`${m.stack.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${m.stack.apiKey}`, 'content-type': 'application/json', ...headers },
      body: raw ?? JSON.stringify(body),
    });

  it('stores GenAI spans (plain or gzip) as traces a monitor evaluates', async () => {
    const { projectId, metricId } = await m.newProject('otlp');
    const at = m.clock.now().getTime() - 10 * MINUTE;

    const plain = await post(exportRequest(at), { 'x-verdict-project': projectId });
    const zipped = await post(
      null,
      { 'x-verdict-project': projectId, 'content-encoding': 'gzip' },
      gzipSync(JSON.stringify(exportRequest(at + 1000, [kv('verdict.project.id', projectId)]))),
    );
    expect([plain.status, zipped.status]).toEqual([200, 200]);
    expect(await plain.json()).toEqual({});

    const monitor = await m.createMonitor(projectId, { name: 'otel', schedule: 'rate(1 hour)', metricIds: [metricId] });
    const tick = await m.api.post(`/monitors/${monitor.id}/trigger`, { lookback: '1 hour' });
    // The same span posted twice is one trace: reposting replaces it.
    expect(tick.body).toMatchObject({ status: 'created', numRecords: 1 });
    const [record] = await collectPages<any>(m.api, `/runs/${tick.body.runId}/records`);
    expect(record).toMatchObject({
      inputs: { prompt: 'Is my order late?', model: 'gpt-4o' },
      outputs: { response: 'It is ok, it ships today.' },
      latencyMs: 800,
    });
    expect((await waitForRun(m.api, tick.body.runId)).status).toBe('completed');
  });

  it('needs the API key, JSON, and a project', async () => {
    const noAuth = await fetch(`${m.stack.url}/v1/traces`, { method: 'POST', body: '{}' });
    expect(noAuth.status).toBe(401);
    const protobuf = await post(null, { 'content-type': 'application/x-protobuf' }, new Uint8Array([1, 2]));
    expect(protobuf.status).toBe(415);
    const noProject = await post(exportRequest(m.clock.now().getTime()), {});
    expect(noProject.status).toBe(400);
    expect(fieldPaths((await noProject.json()) as any)[0]).toBe('x-verdict-project');
  });
});
