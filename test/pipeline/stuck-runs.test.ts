import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import { ManualClock } from '../../local/monitors.js';
import { type ApiClient, apiClient, startTestStack, waitFor } from '../support/stack.js';
import { startHoldingAgent } from './support.js';

/**
 * No run stuck for ever: the stuck-run sweeper (on the monitor scheduler's clock, a manual one here) settles a
 * run Verdict executes whose workflow execution ended without finalizing it, or that has made no progress for
 * RUN_STUCK_MINUTES, with an honest status and reason. The team's agent here answers nothing until released.
 */
const MINUTE = 60_000;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let clock: ManualClock;
let agent: Awaited<ReturnType<typeof startHoldingAgent>>;

beforeAll(async () => {
  agent = await startHoldingAgent();
  clock = new ManualClock(new Date());
  stack = await startTestStack({ monitors: { clock, stuckMinutes: 180 } });
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(async () => {
  agent?.release();
  await stack?.stop();
  await agent?.close();
});

const hangingRun = () => agent.hangingRun(api);

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
