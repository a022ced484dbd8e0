// The polyfill must run before aws-local-stepfunctions is evaluated: keep this import first.
import './polyfill.js';
import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { TaskCallbacks } from '../../lambdas/core/workflow/task-callbacks.js';
import { ExecutionStoppedError, LocalDefinitionError, LocalExecutionError } from './errors.js';
import { LocalTaskCallbacks } from './task-callbacks.js';
import { buildTaskHandlers, type LambdaHandler, type QueueSender, TASK_TOKEN_PLACEHOLDER } from './task-handlers.js';
import { collectTaskStates } from './task-states.js';

type Execution = ReturnType<StateMachine['run']>;
type JsonValue = Parameters<StateMachine['run']>[0];
/** One entry of the library's execution event log (StateEntered, StateRetried, MapIterationFailed, ...). */
export type ExecutionEvent = Execution['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface LocalStateMachineDriverOptions {
  /** The parsed definition, placeholders already substituted. */
  definition: StateMachineDefinition;
  /** Handlers for Lambda task states, keyed by state name. */
  lambdas: Readonly<Record<string, LambdaHandler>>;
  /** Where `sqs:sendMessage.waitForTaskToken` states send their messages. */
  queues: QueueSender;
  /** Milliseconds to pause before a retry, per state name, instead of the definition's backoff. */
  retryIntervalOverrides?: NonNullable<RunOptions['overrides']>['retryIntervalOverrides'];
  /** Sees every event of every execution, e.g. for logs or tests. */
  onEvent?: (executionId: string, event: ExecutionEvent) => void;
}

export interface LocalExecution {
  executionId: string;
  /** The execution's output; rejects with a LocalExecutionError if it fails, times out or is stopped. */
  done: Promise<unknown>;
  /** Stops this execution (StopExecution): `done` rejects, and nothing finalizes its run. */
  abort(): void;
}

export interface LocalStateMachineDriver {
  /** Give these to the workers: they settle the tasks waiting on a token. */
  readonly callbacks: TaskCallbacks;
  /** `name` plays StartExecution's name: at most one running execution per name. */
  start(input: unknown, options?: { name?: string }): LocalExecution;
  /** Aborts every running execution and fails their waiting tasks; resolves when all have settled. */
  stop(): Promise<void>;
}

/** Runs an ASL definition in-process with aws-local-stepfunctions, standing in for Lambda and SQS tasks. */
export function createLocalStateMachineDriver(options: LocalStateMachineDriverOptions): LocalStateMachineDriver {
  const tasks = collectTaskStates(options.definition);
  const lambdaStates = new Set(tasks.filter((task) => task.kind !== 'sqs-wait-for-task-token').map((t) => t.name));
  const strays = Object.keys(options.lambdas).filter((name) => !lambdaStates.has(name));
  if (strays.length > 0) throw new LocalDefinitionError(`No Lambda task state named ${strays.join(', ')}.`);

  const callbacks = new LocalTaskCallbacks();
  const running = new Map<string, { abort(): void; done: Promise<unknown> }>();
  let stopped = false;
  const handlers = buildTaskHandlers(tasks, {
    lambdas: options.lambdas,
    queues: options.queues,
    callbacks,
    isStopped: () => stopped,
  });
  // The library's validator adds QueryLanguage to every state of the object it is given; keep ours intact.
  const machine = new StateMachine(structuredClone(options.definition));

  const start = (input: unknown, startOptions?: { name?: string }): LocalExecution => {
    if (stopped) throw new Error('The local state machine driver is stopped; create a new one to run again.');
    const executionId = startOptions?.name ?? randomUUID();
    if (running.has(executionId)) throw new Error(`Execution ${executionId} is already running.`);
    // StartExecution takes its input as a JSON string; the round trip gives the same value locally.
    const execution = machine.run(JSON.parse(JSON.stringify(input ?? {})) as JsonValue, {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: options.retryIntervalOverrides },
      context: { Execution: { Id: executionId, Name: executionId }, Task: { Token: TASK_TOKEN_PLACEHOLDER } },
    });
    // Draining is not optional: undrained events pile up in memory for the whole execution.
    void drainEvents(execution.eventLogs, (event) => options.onEvent?.(executionId, event));
    const done = execution.result.then(
      (output) => output as unknown,
      (error: unknown) => {
        throw toExecutionError(executionId, error);
      },
    );
    // This also marks `done` handled: like StartExecution, a caller may start and never await the outcome.
    const settled = done.then(
      () => running.delete(executionId),
      () => running.delete(executionId),
    );
    running.set(executionId, { abort: execution.abort, done: settled });
    return { executionId, done, abort: () => execution.abort() };
  };

  const stop = async (): Promise<void> => {
    stopped = true;
    const executions = [...running.values()];
    for (const execution of executions) execution.abort();
    // Abort only ends the wait; failing the tasks clears the library's per-task timers so the process can exit.
    callbacks.close(new ExecutionStoppedError());
    await Promise.all(executions.map((execution) => execution.done));
  };

  return { callbacks, start, stop };
}

async function drainEvents(events: AsyncGenerator<ExecutionEvent>, onEvent: (event: ExecutionEvent) => void) {
  for await (const event of events) onEvent(event);
}

function toExecutionError(executionId: string, error: unknown): LocalExecutionError {
  if (error instanceof ExecutionAbortedError) {
    return new LocalExecutionError(executionId, 'ABORTED', 'States.Aborted', 'The execution was stopped.');
  }
  if (error instanceof ExecutionTimeoutError) {
    return new LocalExecutionError(executionId, 'TIMED_OUT', 'States.Timeout', 'The execution timed out.');
  }
  // ExecutionError wraps the state's error: its name is the ASL error, its message the cause.
  const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) return new LocalExecutionError(executionId, 'FAILED', cause.name, cause.message);
  return new LocalExecutionError(executionId, 'FAILED', 'States.Runtime', String(cause));
}
