import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import { ManualClock } from '../../local/monitors.js';
import { type ApiClient, apiClient, startTestStack, waitFor } from '../support/stack.js';
import { createMetric, createSystemVersion, EXACT_METRIC, seedTestset } from './support.js';

/**
 * No run stuck for ever: the stuck-run sweeper (on the monitor scheduler's clock, a manual one here) settles a
 * run Verdict executes whose workflow execution ended without finalizing it, or that has made no progress for
 * RUN_STUCK_MINUTES, with an honest status and reason. The team's agent here answers nothing until released.
 */
const MINUTE = 60_000;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let clock: ManualClock;
let agentUrl: string;
const held: ServerResponse[] = [];
const agent = createServer((req, res) => {
  req.resume();
  held.push(res);
});

beforeAll(async () => {
  await new Promise<void>((ready) => agent.listen(0, '127.0.0.1', ready));
  agentUrl = `http://127.0.0.1:${(agent.address() as AddressInfo).port}`;
  clock = new ManualClock(new Date());
  stack = await startTestStack({ monitors: { clock, stuckMinutes: 180 } });
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(async () => {
  // Let the held calls go, so the workers finish before the stack stops.
  for (const res of held) res.writableEnded || res.end(JSON.stringify({ answer: 'late' }));
  await stack?.stop();
  await new Promise((done) => agent.close(done));
});

/** A hosted run over 3 testcases whose agent has received its first call (and will not answer it). */
async function hangingRun() {
  const { projectId, testsetId } = await seedTestset(api, 3);
  const metric = await createMetric(api, projectId, EXACT_METRIC);
  const systemVersionId = await createSystemVersion(api, projectId, `agent-${held.length}`, {
    type: 'http',
    url: agentUrl,
    body: '{"q": {{ question | dump }}}',
    outputPath: '$.answer',
    timeoutMs: 600_000,
  });
  const before = held.length;
  const created = await api.post(`/projects/${projectId}/runs`, { testsetId, systemVersionId, metricIds: [metric.id] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await waitFor(async () => (held.length > before ? true : undefined), 'the agent to be called');
  return created.body as { id: string };
}

describe('the stuck-run sweeper', () => {
  it('settles a run whose execution was stopped mid-run as failed, saying why', async () => {
    // Prepare
    const run = await hangingRun();

    // Act: kill the execution (StopExecution), then let the next sweep come
    expect(stack.pipeline!.stopExecution(run.id)).toBe(true);
    await waitFor(
      async () =>
        (await stack.pipeline!.executions.endedWithoutFinalizing({ orgId: DEFAULT_ORG }, run.id)) ?? undefined,
      'the execution to end',
    );
    const before = (await api.get(`/runs/${run.id}`)).body;
    expect(before.status).toMatch(/^(awaiting|running)_execution$/);
    await clock.advance(5 * MINUTE);

    // Assess
    const settled = (await api.get(`/runs/${run.id}`)).body;
    expect(settled.status).toBe('failed');
    expect(settled.completedAt).toEqual(expect.any(String));
    expect(settled.statusReason).toContain(
      'settled by the stuck-run sweeper: its evaluation workflow ended without finalizing it',
    );
  });

  it('settles a run that made no progress for RUN_STUCK_MINUTES, and not ten minutes before', async () => {
    const run = await hangingRun();

    await clock.advance(170 * MINUTE);
    expect((await api.get(`/runs/${run.id}`)).body.status).toMatch(/^(awaiting|running)_execution$/);
    await clock.advance(15 * MINUTE);

    const settled = (await api.get(`/runs/${run.id}`)).body;
    expect(settled.status).toBe('failed');
    expect(settled.statusReason).toMatch(/no record or score was counted for 180 minutes \(last at .*\)/);
  });
});
