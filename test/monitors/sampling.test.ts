import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonitorDeps } from '../../lambdas/core/monitors/ports.js';
import { runMonitorTick, TICK_LEASE_MS } from '../../lambdas/core/monitors/tick.js';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import { collectPages, fieldPaths, waitForRun } from '../support/stack.js';
import { BASE, HOUR, iso, MINUTE, type MonitorStack, sampledAt, startMonitorStack } from './support.js';

let m: MonitorStack;
beforeAll(async () => {
  m = await startMonitorStack();
});
afterAll(() => m?.stack.stop());

const deps = (): MonitorDeps => ({ ...m.stack.deps, monitors: m.stack.deps.monitors!, traces: m.stack.deps.traces! });

describe('sampling production traffic', () => {
  let projectId: string;
  let metricId: string;
  // 1,000 interactions in the hour before BASE, one every 3.5 s; every third answer lacks "ok".
  const traces = Array.from({ length: 1000 }, (_, i) => ({
    traceId: `trace-${i}`,
    spanName: 'chat',
    serviceName: 'support-bot',
    inputs: { question: `q${i}` },
    outputs: { response: i % 3 === 0 ? 'no idea' : 'ok, done' },
    timestamp: iso(BASE - HOUR + (i + 1) * 3500),
  }));
  const expected = traces.filter((t) => sampledAt(0.5)(t.traceId)).map((t) => t.inputs.question);

  beforeAll(async () => {
    ({ projectId, metricId } = await m.newProject('sampling'));
    await m.ingest(projectId, traces);
  });

  it('turns a tick over 1,000 traces at sampleRate 0.5 into one run holding exactly the sampled set, scored', async () => {
    // The clock is at BASE + 5 min: a first manual trigger looks one lookback back from now.
    const monitor = await m.createMonitor(projectId, {
      name: 'half of support',
      schedule: 'rate(1 hour)',
      lookback: '65 minutes',
      metricIds: [metricId],
      sampleRate: 0.5,
    });

    const tick = await m.api.post(`/monitors/${monitor.id}/trigger`);

    expect(tick.status, JSON.stringify(tick.body)).toBe(200);
    expect(tick.body).toMatchObject({
      status: 'created',
      windowStart: iso(BASE - HOUR),
      windowEnd: iso(BASE + 5 * MINUTE),
      numRecords: expected.length,
    });
    expect(expected.length).toBeGreaterThan(450);
    expect(expected.length).toBeLessThan(550);
    const questions = await m.questionsOf(tick.body.runId);
    expect(questions).toHaveLength(expected.length);
    expect(new Set(questions)).toEqual(new Set(expected));
    // Every record links back to the trace it was sampled from.
    const records = await collectPages<any>(m.api, `/runs/${tick.body.runId}/records`);
    expect(records).toHaveLength(expected.length);
    expect(records.map((r) => r.traceId)).toEqual(records.map((r) => `trace-${r.inputs.question.slice(1)}`));
    const run = await waitForRun(m.api, tick.body.runId);
    expect(run).toMatchObject({ source: 'monitor', status: 'completed', numRecords: expected.length });
    const passing = expected.filter((q) => Number(q.slice(1)) % 3 !== 0).length;
    expect(Object.values(run.aggregates as Record<string, any>)[0]).toMatchObject({
      n: expected.length,
      passed: passing,
    });
  });

  it('gives the same run for a repeated tick of the window, and the same sample to every monitor at that rate', async () => {
    const [first] = await m.monitorRuns(projectId);
    const monitorId = (await collectPages<any>(m.api, `/projects/${projectId}/monitors`))[0].id;

    const again = await m.api.post(`/monitors/${monitorId}/trigger`);

    expect(again.body).toMatchObject({ status: 'duplicate', runId: first.id, numRecords: expected.length });
    expect(await m.monitorRuns(projectId)).toHaveLength(1);
    expect(await m.questionsOf(first.id)).toHaveLength(expected.length);

    const twin = await m.createMonitor(projectId, {
      name: 'twin',
      schedule: 'rate(1 hour)',
      lookback: '65 minutes',
      sampleRate: 0.5,
    });
    const twinTick = await m.api.post(`/monitors/${twin.id}/trigger`);
    expect(twinTick.body.runId).not.toBe(first.id);
    expect(new Set(await m.questionsOf(twinTick.body.runId))).toEqual(new Set(expected));
    await m.api.delete(`/monitors/${twin.id}`);
  });

  it('lets the retry of a failed tick finish it: same run, same record ids, counted once', async () => {
    const monitor = await m.createMonitor(projectId, { name: 'crashy', schedule: 'rate(1 hour)', sampleRate: 0.5 });
    const request = {
      orgId: DEFAULT_ORG,
      monitorId: monitor.id,
      dueAt: m.clock.now(),
      now: m.clock.now(),
      scheduled: true,
    };
    const crashing = { ...deps(), launcher: { start: async () => Promise.reject(new Error('lost the connection')) } };

    await expect(runMonitorTick(crashing, request)).rejects.toThrow('lost the connection');
    const [run] = (await m.monitorRuns(projectId)).filter((r) => r.name === 'crashy');
    const before = (await collectPages<any>(m.api, `/runs/${run.id}/records`)).map((r) => r.id).sort();
    expect(before).toHaveLength(expected.length);
    // The cursor already passed the window, so the next window cannot take these traces again.
    expect((await m.api.get(`/monitors/${monitor.id}`)).body.lastTickEnd).toBe(iso(BASE));

    const retried = await runMonitorTick(deps(), request);

    expect(retried).toMatchObject({ status: 'created', runId: run.id, numRecords: expected.length });
    const after = (await collectPages<any>(m.api, `/runs/${run.id}/records`)).map((r) => r.id).sort();
    expect(after).toEqual(before);
    expect(await waitForRun(m.api, run.id)).toMatchObject({ status: 'completed', numRecords: expected.length });
    expect((await m.monitorRuns(projectId)).filter((r) => r.name === 'crashy')).toHaveLength(1);
  });
});

describe('filters', () => {
  it('keeps only traces whose span name matches the regex and whose service is the one named', async () => {
    const { projectId } = await m.newProject('filters');
    const spans = ['chat.completions', 'chat.embeddings', 'tool.search', 'llm.chat.completions'];
    const services = ['checkout', 'search'];
    const traces = Array.from({ length: 80 }, (_, i) => ({
      traceId: `f-${i}`,
      spanName: spans[i % spans.length],
      serviceName: services[Math.floor(i / spans.length) % services.length],
      inputs: { question: `q${i}`, topic: i % 5 === 0 ? 'Refund request' : 'shipping' },
      outputs: { response: 'ok' },
      timestamp: iso(BASE - 30 * MINUTE + i * 1000),
    }));
    await m.ingest(projectId, traces);
    const expect_ = (keep: (t: (typeof traces)[number]) => boolean) =>
      new Set(traces.filter(keep).map((t) => t.inputs.question));

    const bySpanAndService = await m.createMonitor(projectId, {
      name: 'checkout completions',
      schedule: 'rate(1 hour)',
      filter: { spanName: '^chat\\.comp', serviceName: 'checkout' },
    });
    const bySearch = await m.createMonitor(projectId, {
      name: 'refunds',
      schedule: 'rate(1 hour)',
      filter: { searchText: 'REFUND' },
    });

    const first = await m.api.post(`/monitors/${bySpanAndService.id}/trigger`);
    const second = await m.api.post(`/monitors/${bySearch.id}/trigger`);

    const wanted = expect_((t) => /^chat\.comp/.test(t.spanName!) && t.serviceName === 'checkout');
    expect(wanted.size).toBe(10);
    expect(new Set(await m.questionsOf(first.body.runId))).toEqual(wanted);
    expect(new Set(await m.questionsOf(second.body.runId))).toEqual(
      expect_((t) => t.inputs.topic === 'Refund request'),
    );
  });
});

describe('a tick that died', () => {
  it('is finished by a later tick once its lease has passed, and the windows do not overlap', async () => {
    const { projectId } = await m.newProject('abandoned');
    const hour = (h: number) =>
      Array.from({ length: 30 }, (_, i) => ({
        traceId: `h${h}-${i}`,
        inputs: { question: `h${h}-${i}` },
        timestamp: iso(BASE + (h - 1) * HOUR + (i + 1) * MINUTE),
      }));
    await m.ingest(projectId, [...hour(0), ...hour(1)]);
    const monitor = await m.createMonitor(projectId, { name: 'dies', schedule: 'rate(1 hour)' });
    const scope = { orgId: DEFAULT_ORG };
    const now = m.clock.now();
    // A tick claimed the window ending at BASE, then its process died: nothing released the lease.
    await m.stack.deps.monitors!.claimTick(
      scope,
      {
        monitorId: monitor.id,
        key: iso(BASE),
        windowStart: iso(BASE - HOUR),
        windowEnd: iso(BASE),
        advancesCursor: true,
      },
      now,
      TICK_LEASE_MS,
    );
    const tick = { orgId: DEFAULT_ORG, monitorId: monitor.id, scheduled: true };
    expect((await runMonitorTick(deps(), { ...tick, dueAt: now, now })).status).toBe('in_progress');

    const later = new Date(BASE + HOUR + 5 * MINUTE);
    const next = await runMonitorTick(deps(), { ...tick, dueAt: later, now: later });

    expect(next).toMatchObject({ status: 'created', windowStart: iso(BASE), windowEnd: iso(BASE + HOUR) });
    const runs = await m.monitorRuns(projectId);
    expect(runs).toHaveLength(2);
    const byRun = await Promise.all(runs.map((r: { id: string }) => m.questionsOf(r.id)));
    expect(byRun.map((q) => q.sort())).toEqual(
      [hour(1), hour(0)].map((traces) => traces.map((t) => t.inputs.question).sort()),
    );
    expect((await m.api.get(`/monitors/${monitor.id}`)).body.lastTickEnd).toBe(iso(BASE + HOUR));
  });
});

describe('post traces, then trigger', () => {
  it('evaluates up to now: the traces just posted are in the run, with their expected outputs', async () => {
    const { projectId } = await m.newProject('right now');
    const exact = await m.api.post(`/projects/${projectId}/metrics`, {
      name: 'matches the label',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'exact_match', expectedField: 'answer' },
    });
    const monitor = await m.createMonitor(projectId, {
      name: 'labelled',
      schedule: 'rate(1 day)',
      metricIds: [exact.body.id],
    });
    // No timestamps: the traces happen now, minutes after the schedule's last fire time.
    await m.ingest(projectId, [
      { traceId: 'now-1', inputs: { question: 'q1' }, outputs: { response: 'a1' }, expected: { answer: 'a1' } },
      { traceId: 'now-2', inputs: { question: 'q2' }, outputs: { response: 'nope' }, expected: { answer: 'a2' } },
    ]);

    const tick = await m.api.post(`/monitors/${monitor.id}/trigger`);

    expect(tick.body).toMatchObject({ status: 'created', numRecords: 2, windowEnd: m.clock.now().toISOString() });
    const run = await waitForRun(m.api, tick.body.runId);
    expect(run.aggregates[exact.body.versionId]).toMatchObject({ n: 2, passed: 1, failed: 1 });
    const records = await collectPages<any>(m.api, `/runs/${run.id}/records`);
    expect(records.map((r) => r.expected).sort((a, b) => a.answer.localeCompare(b.answer))).toEqual([
      { answer: 'a1' },
      { answer: 'a2' },
    ]);
    // The same trigger again (a retry) is the same window; a minute later the cursor has moved on, so the
    // window holds nothing new rather than the same traces twice.
    expect((await m.api.post(`/monitors/${monitor.id}/trigger`)).body).toMatchObject({
      runId: run.id,
      status: 'duplicate',
    });
    await m.clock.advance(MINUTE);
    const later = await m.api.post(`/monitors/${monitor.id}/trigger`);
    expect(later.body).toMatchObject({ status: 'empty', numRecords: 0, windowStart: tick.body.windowEnd });
  });

  it('refuses a trace field it does not know, naming it, rather than dropping it', async () => {
    const { projectId } = await m.newProject('typo');
    const res = await m.api.post(`/projects/${projectId}/traces`, {
      items: [{ traceId: 't', outputs: { response: 'x' }, expect: { answer: 'x' } }],
    });
    expect(res.status).toBe(400);
    expect(fieldPaths(res.body)).toEqual(['items.0']);
    expect(JSON.stringify(res.body)).toContain('expect');
  });
});
