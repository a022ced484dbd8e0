import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArn, executionName, sfnRunExecutions } from '../../lambdas/aws/sfn-executions.js';
import { sfnLauncher } from '../../lambdas/aws/sfn-launcher.js';
import type { RunExecutions } from '../../lambdas/core/runs/ports.js';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import { ManualClock } from '../../local/monitors.js';
import { type FakeExecution, startFakeStepFunctions } from '../support/fake-sfn.js';
import { type ApiClient, apiClient, startTestStack } from '../support/stack.js';
import { seedTestset, startHoldingAgent } from './support.js';

/**
 * The stuck-run sweeper as the AWS monitor Lambda runs it: it asks Step Functions (DescribeExecution, real SDK
 * client, against a stand-in on 127.0.0.1 since AWS is a paid service) about each active run's latest
 * execution, found by name from the run, and settles a run whose execution failed at the next sweep instead of
 * after RUN_STUCK_MINUTES. Runs and their storage are the real local stack's; their agent answers nothing.
 */
const MINUTE = 60_000;
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Verdict-run-evaluation';
const scope = { orgId: DEFAULT_ORG };
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let clock: ManualClock;
let agent: Awaited<ReturnType<typeof startHoldingAgent>>;
let sfn: Awaited<ReturnType<typeof startFakeStepFunctions>>;
let adapter: RunExecutions;

beforeAll(async () => {
  agent = await startHoldingAgent();
  sfn = await startFakeStepFunctions();
  clock = new ManualClock(new Date());
  // The sweep asks the adapter, which needs the stack's run repository: it is built once the stack is up.
  const executions: RunExecutions = { endedWithoutFinalizing: (s, runId) => adapter.endedWithoutFinalizing(s, runId) };
  stack = await startTestStack({ monitors: { clock, stuckMinutes: 180, executions } });
  api = apiClient(stack.url, stack.apiKey);
  adapter = sfnRunExecutions({
    sfn: sfn.client(),
    stateMachineArn: STATE_MACHINE,
    runs: stack.core.repositories.runs,
    now: () => clock.now(),
  });
});
afterAll(async () => {
  agent?.release();
  await stack?.stop();
  await Promise.all([agent?.close(), sfn?.close()]);
});

const arnOf = (runId: string, generation = 0) => executionArn(STATE_MACHINE, executionName(runId, generation));
const status = async (runId: string) => (await api.get(`/runs/${runId}`)).body;

/** A run fed by its client, made once: only its id and generation matter to the adapter, and no sweep settles it. */
let fedRun: Promise<{ id: string }> | undefined;
const clientFedRun = () => {
  fedRun ??= seedTestset(api, 1).then(
    async ({ projectId, testsetId }) =>
      (await api.post(`/projects/${projectId}/runs`, { testsetId, metricIds: [] })).body,
  );
  return fedRun;
};

describe('the AWS run executions adapter', () => {
  it('starts one execution per scoring pass, named so the sweeper can describe it: a repeated start is no second one', async () => {
    // Prepare
    const run = await agent.hangingRun(api);
    const launcher = sfnLauncher({
      sfn: sfn.client(),
      sqs: stack.core.emulators.clients.sqs,
      runs: stack.core.repositories.runs,
      stateMachineArn: STATE_MACHINE,
      scorerQueueUrl: stack.core.emulators.queueUrls.scorer,
    });

    // Act: a monitor tick retried after StartExecution went through
    await launcher.start(scope, run.id, 'execute');
    await launcher.start(scope, run.id, 'execute');

    // Assess
    const starts = sfn.calls.filter((c) => c.action === 'StartExecution' && c.input.name === `${run.id}-g0`);
    expect(starts).toHaveLength(2);
    expect(sfn.executions.get(arnOf(run.id))).toEqual({ status: 'RUNNING' });
    expect(await adapter.endedWithoutFinalizing(scope, run.id)).toBeNull();
  });

  it.each<{ status: FakeExecution['status']; error?: string; cause?: string; says: string | null }>([
    {
      status: 'FAILED',
      error: 'States.TaskFailed',
      cause: 'Lambda throttled',
      says: 'failed: States.TaskFailed: Lambda throttled',
    },
    { status: 'TIMED_OUT', says: 'timed out' },
    { status: 'ABORTED', cause: 'stopped from the console', says: 'aborted: stopped from the console' },
    { status: 'RUNNING', says: null },
    { status: 'SUCCEEDED', says: null },
    { status: 'PENDING_REDRIVE', says: null },
  ])('answers an execution $status with $says', async ({ status: executionStatus, error, cause, says }) => {
    const run = await clientFedRun();
    sfn.executions.set(arnOf(run.id), { status: executionStatus, error, cause });

    const answer = await adapter.endedWithoutFinalizing(scope, run.id);

    expect(answer).toBe(says === null ? null : `execution ${run.id}-g0 ${says}`);
  });

  it('settles a run whose execution FAILED at the next sweep, naming its error and cause', async () => {
    // Prepare: the run's execution hit the history limit
    const run = await agent.hangingRun(api);
    sfn.executions.set(arnOf(run.id), {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'The execution reached the maximum number of history events (25000).',
    });
    expect((await status(run.id)).status).toMatch(/^(awaiting|running)_execution$/);

    // Act: one sweep, 5 minutes on (RUN_STUCK_MINUTES is 180)
    await clock.advance(5 * MINUTE);

    // Assess
    const settled = await status(run.id);
    expect(settled.status).toBe('failed');
    expect(settled.completedAt).toEqual(expect.any(String));
    expect(settled.statusReason).toContain(
      `its evaluation workflow ended without finalizing it (execution ${run.id}-g0 failed: States.Runtime: ` +
        'The execution reached the maximum number of history events (25000).)',
    );
    expect(sfn.calls).toContainEqual({ action: 'DescribeExecution', input: { executionArn: arnOf(run.id) } });
  });

  it('settles a run whose execution never started once the start grace has passed, and leaves a RUNNING one be', async () => {
    // Prepare: one run with a running execution, one whose StartExecution never happened
    const running = await agent.hangingRun(api);
    sfn.executions.set(arnOf(running.id), { status: 'RUNNING' });
    const neverStarted = await agent.hangingRun(api);

    // Act + Assess: within the 15-minute grace, neither is settled
    await clock.advance(10 * MINUTE);
    expect((await status(neverStarted.id)).status).toMatch(/^(awaiting|running)_execution$/);

    await clock.advance(10 * MINUTE);
    const settled = await status(neverStarted.id);
    expect(settled.status).toBe('failed');
    expect(settled.statusReason).toContain(`(execution ${neverStarted.id}-g0 was never started)`);
    expect((await status(running.id)).status).toMatch(/^(awaiting|running)_execution$/);
  });
});
