import { randomUUID } from 'node:crypto';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { StaleTaskTokenError } from '../../../lambdas/core/workflow/task-callbacks.js';
import { loadRunEvaluationDefinition } from '../../../local/stepfunctions/definition.js';
import {
  createLocalStateMachineDriver,
  type LocalStateMachineDriver,
} from '../../../local/stepfunctions/run-state-machine.js';
import { type SqsHarness, startTestPoller, type TaskMessage } from './sqs-harness.js';

export const RUN_ID = 'run-01';
export const ORG_ID = 'org-01';
export const BATCHES = [0, 1, 2];

/** How the stand-in worker answers one message; `attempt` counts messages for the same kind and batch. */
export type Reply = 'succeed' | 'ignore' | { error: string; cause: string };
export type Responder = (message: TaskMessage, attempt: number, driver: LocalStateMachineDriver) => Promise<Reply>;

export interface Scenario {
  driver: LocalStateMachineDriver;
  /** PrepareRun, FinalizeRun, `MarkBatchErrored:<batch>` and `<kind>:<batch>` per message, in arrival order. */
  log: string[];
  messages: TaskMessage[];
  markBatchErroredInputs: unknown[];
  finalizeRunInputs: unknown[];
  firstMessage: Promise<TaskMessage>;
  dispose(): Promise<void>;
}

/**
 * The real run-evaluation ASL on the local driver, with test Lambdas and a poller standing in for the
 * executor and scorer workers on fresh fauxqs queues.
 */
export function startScenario(
  harness: SqsHarness,
  options: { respond?: Responder; patch?: (definition: StateMachineDefinition) => void } = {},
): Scenario {
  const suffix = randomUUID().slice(0, 8);
  const executorQueueUrl = harness.createQueue(`executor-${suffix}`);
  const scorerQueueUrl = harness.createQueue(`scorer-${suffix}`);
  const definition = loadRunEvaluationDefinition({ executorQueueUrl, scorerQueueUrl });
  options.patch?.(definition);

  const log: string[] = [];
  const messages: TaskMessage[] = [];
  const markBatchErroredInputs: unknown[] = [];
  const finalizeRunInputs: unknown[] = [];
  const driver = createLocalStateMachineDriver({
    definition,
    queues: harness.queues,
    // The definition's backoff is seconds long; the retry path is what these tests are about.
    retryIntervalOverrides: { Execute: 0, Score: 0 },
    lambdas: {
      PrepareRun: async (input) => {
        log.push('PrepareRun');
        const { runId, orgId, mode } = input as { runId: string; orgId: string; mode: 'execute' | 'rescore' };
        const skipExecution = mode === 'rescore';
        const batches = BATCHES.map((batch) => ({ runId, orgId, batch, skipExecution }));
        return { runId, orgId, mode, skipExecution, maxConcurrency: 2, batches };
      },
      MarkBatchErrored: async (input) => {
        log.push(`MarkBatchErrored:${(input as { batch: number }).batch}`);
        markBatchErroredInputs.push(input);
        return { erroredRecords: 25 };
      },
      FinalizeRun: async (input) => {
        log.push('FinalizeRun');
        finalizeRunInputs.push(input);
        return { runId: (input as { runId: string }).runId, status: 'completed' };
      },
    },
  });

  const attempts = new Map<string, number>();
  let onFirstMessage: (message: TaskMessage) => void = () => undefined;
  const firstMessage = new Promise<TaskMessage>((resolve) => {
    onFirstMessage = resolve;
  });
  const poller = startTestPoller(harness.sqs, [executorQueueUrl, scorerQueueUrl], async (message) => {
    const key = `${message.kind}:${message.batch}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    log.push(key);
    messages.push(message);
    onFirstMessage(message);
    const reply = options.respond ? await options.respond(message, attempt, driver) : 'succeed';
    try {
      if (reply === 'succeed') await driver.callbacks.succeed(message.taskToken, { batch: message.batch });
      else if (reply !== 'ignore') await driver.callbacks.fail(message.taskToken, reply.error, reply.cause);
    } catch (error) {
      // What a real worker does too: the state machine has moved on, so the message is simply dropped.
      if (!(error instanceof StaleTaskTokenError)) throw error;
      log.push(`stale:${key}`);
    }
  });

  return {
    driver,
    log,
    messages,
    markBatchErroredInputs,
    finalizeRunInputs,
    firstMessage,
    async dispose() {
      await poller.stop();
      await driver.stop();
    },
  };
}

/** Edits the Task state `name` inside the EvaluateBatches Map. */
export function patchBatchState(definition: StateMachineDefinition, name: string, fields: Record<string, unknown>) {
  const map = definition.States['EvaluateBatches'] as unknown as {
    ItemProcessor: { States: Record<string, Record<string, unknown>> };
  };
  Object.assign(map.ItemProcessor.States[name] as Record<string, unknown>, fields);
}
