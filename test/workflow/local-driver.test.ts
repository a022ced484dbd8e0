import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StaleTaskTokenError } from '../../lambdas/core/workflow/task-callbacks.js';
import { loadRunEvaluationDefinition } from '../../local/stepfunctions/definition.js';
import { createLocalStateMachineDriver } from '../../local/stepfunctions/run-state-machine.js';
import type { LambdaHandler } from '../../local/stepfunctions/task-handlers.js';
import {
  BATCHES,
  ORG_ID,
  patchBatchState,
  RUN_ID,
  type Scenario,
  startScenario,
} from './support/run-evaluation-scenario.js';
import { type SqsHarness, startSqsHarness } from './support/sqs-harness.js';

let harness: SqsHarness;
let scenario: Scenario | undefined;

beforeAll(async () => {
  harness = await startSqsHarness();
});
afterEach(async () => {
  await scenario?.dispose();
  scenario = undefined;
});
afterAll(async () => {
  await harness.stop();
});

function expectInOrder(log: string[], earlier: string, later: string): void {
  expect(log).toContain(earlier);
  expect(log.indexOf(earlier)).toBeLessThan(log.indexOf(later));
}

describe('run-evaluation on the local driver', () => {
  it('prepares, executes then scores every batch, and finalizes', async () => {
    scenario = startScenario(harness);

    const output = await scenario.driver.start({ runId: RUN_ID, orgId: ORG_ID, mode: 'execute' }).done;

    expect(output).toEqual({ runId: RUN_ID, status: 'completed' });
    const { log, messages } = scenario;
    expect(log[0]).toBe('PrepareRun');
    expect(log.at(-1)).toBe('FinalizeRun');
    for (const batch of BATCHES) expectInOrder(log, `execute:${batch}`, `score:${batch}`);
    expect(log).toHaveLength(2 + 2 * BATCHES.length);
    expect(messages[0]).toMatchObject({
      runId: RUN_ID,
      orgId: ORG_ID,
      batch: expect.any(Number),
      taskToken: expect.any(String),
    });
    expect(new Set(messages.map((message) => message.taskToken)).size).toBe(messages.length);
    expect(scenario.finalizeRunInputs).toEqual([expect.objectContaining({ runId: RUN_ID, orgId: ORG_ID })]);
  });

  it('skips Execute for a rescore', async () => {
    scenario = startScenario(harness);

    await scenario.driver.start({ runId: RUN_ID, orgId: ORG_ID, mode: 'rescore' }).done;

    expect(scenario.messages.map((message) => message.kind)).toEqual(['score', 'score', 'score']);
    expect(scenario.log.at(-1)).toBe('FinalizeRun');
  });

  it('marks a batch errored when its Score fails fatally, and still finalizes the run', async () => {
    scenario = startScenario(harness, {
      respond: async (message) =>
        message.kind === 'score' && message.batch === 1
          ? { error: 'Verdict.Fatal', cause: 'judge model not configured' }
          : 'succeed',
    });

    await scenario.driver.start({ runId: RUN_ID, orgId: ORG_ID, mode: 'execute' }).done;

    expect(scenario.markBatchErroredInputs).toEqual([
      {
        runId: RUN_ID,
        orgId: ORG_ID,
        batch: 1,
        error: { Error: 'Verdict.Fatal', Cause: 'judge model not configured' },
      },
    ]);
    expect(scenario.log.filter((entry) => entry === 'score:1')).toHaveLength(1);
    expectInOrder(scenario.log, 'MarkBatchErrored:1', 'FinalizeRun');
    expect(scenario.log.at(-1)).toBe('FinalizeRun');
  });

  it('retries a batch whose Execute fails transiently, with a fresh message and token', async () => {
    scenario = startScenario(harness, {
      respond: async (message, attempt) =>
        message.kind === 'execute' && message.batch === 2 && attempt === 1
          ? { error: 'Verdict.Transient', cause: 'rate limited' }
          : 'succeed',
    });

    await scenario.driver.start({ runId: RUN_ID, orgId: ORG_ID, mode: 'execute' }).done;

    const retried = scenario.messages.filter((message) => message.kind === 'execute' && message.batch === 2);
    expect(retried).toHaveLength(2);
    expect(retried[0]?.taskToken).not.toBe(retried[1]?.taskToken);
    expect(scenario.markBatchErroredInputs).toEqual([]);
    expect(scenario.log.at(-1)).toBe('FinalizeRun');
  });

  it('honours the task TimeoutSeconds: a silent worker times out, the retry succeeds, the late token is stale', async () => {
    let silentToken = '';
    scenario = startScenario(harness, {
      patch: (definition) => patchBatchState(definition, 'Execute', { TimeoutSeconds: 1 }),
      respond: async (message, attempt, driver) => {
        if (message.kind !== 'execute' || message.batch !== 0) return 'succeed';
        if (attempt === 1) {
          silentToken = message.taskToken;
          return 'ignore';
        }
        await expect(driver.callbacks.succeed(silentToken, {})).rejects.toBeInstanceOf(StaleTaskTokenError);
        return 'succeed';
      },
    });

    await scenario.driver.start({ runId: RUN_ID, orgId: ORG_ID, mode: 'execute' }).done;

    expect(scenario.log.filter((entry) => entry === 'execute:0')).toHaveLength(2);
    expect(scenario.markBatchErroredInputs).toEqual([]);
  });

  it('stop() aborts a running execution without marking batches errored or finalizing', async () => {
    scenario = startScenario(harness, { respond: async () => 'ignore' });
    const execution = scenario.driver.start({ runId: RUN_ID, orgId: ORG_ID, mode: 'execute' });
    const { taskToken } = await scenario.firstMessage;

    await scenario.driver.stop();

    await expect(execution.done).rejects.toMatchObject({ status: 'ABORTED' });
    await expect(scenario.driver.callbacks.succeed(taskToken, {})).rejects.toBeInstanceOf(StaleTaskTokenError);
    expect(scenario.markBatchErroredInputs).toEqual([]);
    expect(scenario.finalizeRunInputs).toEqual([]);
    expect(() => scenario?.driver.start({ runId: RUN_ID, orgId: ORG_ID, mode: 'execute' })).toThrow(/stopped/);
  });

  it('hands a PrepareRun failure to FinalizeRun with the error, so the run can end failed', async () => {
    const finalized: unknown[] = [];
    const driver = createLocalStateMachineDriver({
      definition: loadRunEvaluationDefinition({ executorQueueUrl: 'http://q/e', scorerQueueUrl: 'http://q/s' }),
      queues: harness.queues,
      lambdas: {
        PrepareRun: async () => {
          throw new TypeError('testset missing');
        },
        MarkBatchErrored: async () => null,
        FinalizeRun: async (payload) => {
          finalized.push(payload);
          return { status: 'failed' };
        },
      },
    });

    const output = await driver.start({ runId: RUN_ID, orgId: ORG_ID, mode: 'execute' }).done;

    expect(output).toEqual({ status: 'failed' });
    expect(finalized).toHaveLength(1);
    const payload = finalized[0] as { runId: string; orgId: string; error: { Error: string; Cause: string } };
    expect(payload).toMatchObject({ runId: RUN_ID, orgId: ORG_ID, error: { Error: 'TypeError' } });
    expect(JSON.parse(payload.error.Cause)).toEqual({ errorType: 'TypeError', errorMessage: 'testset missing' });
  });

  const noop: LambdaHandler = async () => null;
  const misconfigurations: [string, Record<string, LambdaHandler>, RegExp][] = [
    ['a Lambda state without a handler', { PrepareRun: noop, FinalizeRun: noop }, /"MarkBatchErrored"/],
    [
      'a handler for a state that does not exist',
      { PrepareRun: noop, MarkBatchErrored: noop, FinalizeRun: noop, Finalize: noop },
      /named Finalize\b/,
    ],
  ];
  it.each(misconfigurations)('refuses to start with %s, rather than calling real AWS', (_case, lambdas, message) => {
    const definition = loadRunEvaluationDefinition({ executorQueueUrl: 'http://q/e', scorerQueueUrl: 'http://q/s' });

    expect(() => createLocalStateMachineDriver({ definition, queues: harness.queues, lambdas })).toThrow(message);
  });
});
