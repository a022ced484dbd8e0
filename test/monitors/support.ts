import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { ManualClock } from '../../local/monitors.js';
import { createMetric } from '../pipeline/support.js';
import { type ApiClient, apiClient, collectPages, startTestStack } from '../support/stack.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
// Monitors run on a manual clock: an hour boundary a day ago, plus five minutes. Nothing here sleeps.
export const BASE = Math.floor(Date.now() / HOUR) * HOUR - 24 * HOUR;
export const iso = (ms: number) => new Date(ms).toISOString();

/** The documented sampling rule, computed independently of the product code. */
export const sampledAt = (rate: number) => (traceId: string) =>
  createHash('sha256').update(traceId).digest().readUInt32BE(0) / 2 ** 32 < rate;

/** The embedded stack with its monitor scheduler on a manual clock, and helpers over its API. */
export async function startMonitorStack() {
  const clock = new ManualClock(new Date(BASE + 5 * MINUTE));
  const stack = await startTestStack({ monitors: { clock } });
  const api: ApiClient = apiClient(stack.url, stack.apiKey);

  async function newProject(name: string) {
    const project = (await api.post('/projects', { name })).body;
    const metric = await createMetric(api, project.id, {
      name: 'says ok',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'contains', value: 'ok' },
    });
    return { projectId: project.id as string, metricId: metric.id };
  }

  async function ingest(projectId: string, items: Array<Record<string, unknown>>) {
    for (let i = 0; i < items.length; i += 500) {
      const res = await api.post(`/projects/${projectId}/traces`, { items: items.slice(i, i + 500) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.accepted).toBe(Math.min(500, items.length - i));
    }
  }

  async function createMonitor(projectId: string, body: Record<string, unknown>) {
    const res = await api.post(`/projects/${projectId}/monitors`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; active: boolean };
  }

  return {
    stack,
    api,
    clock,
    newProject,
    ingest,
    createMonitor,
    monitorRuns: (projectId: string) => collectPages<any>(api, `/projects/${projectId}/runs?source=monitor`),
    questionsOf: async (runId: string) =>
      (await collectPages<any>(api, `/runs/${runId}/records`)).map((r) => r.inputs.question as string),
    /** Monitors that have a schedule right now. */
    scheduled: () => stack.monitors!.scheduler.list().map((s) => s.monitorId),
  };
}
export type MonitorStack = Awaited<ReturnType<typeof startMonitorStack>>;
