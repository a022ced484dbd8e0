import { randomUUID } from 'node:crypto';
import type { RunOptions } from 'aws-local-stepfunctions';
import { ExecutionStoppedError, LocalDefinitionError, TaskFailedError } from './errors.js';
import type { LocalTaskCallbacks } from './task-callbacks.js';
import type { TaskStateInfo } from './task-states.js';

export type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type TaskHandler = TaskHandlers[string];
type JsonValue = Awaited<ReturnType<TaskHandler>>;

/** A Lambda function's handler as the state machine sees it: JSON payload in, JSON result out. */
export type LambdaHandler = (payload: unknown) => Promise<unknown>;

/** Sends one SQS message; locally a thin wrapper over the SQS client pointed at the emulator. */
export interface QueueSender {
  send(queueUrl: string, body: string): Promise<void>;
}

/**
 * What `$$.Task.Token` resolves to locally: the library has no task tokens, so the driver puts this marker in
 * the Context Object and swaps it for a fresh token in each message, wherever the definition placed it.
 */
export const TASK_TOKEN_PLACEHOLDER = '<<local-task-token>>';

export interface TaskHandlerDeps {
  lambdas: Readonly<Record<string, LambdaHandler>>;
  queues: QueueSender;
  callbacks: LocalTaskCallbacks;
  isStopped(): boolean;
}

/** One local override per Task state, keyed by state name as aws-local-stepfunctions expects. */
export function buildTaskHandlers(tasks: readonly TaskStateInfo[], deps: TaskHandlerDeps): TaskHandlers {
  const handlers: TaskHandlers = {};
  for (const task of tasks) {
    const handler = task.kind === 'sqs-wait-for-task-token' ? sendAndWait(task, deps) : invokeLambda(task, deps);
    handlers[task.name] = async (input) => {
      // A state retried after stop() would otherwise send a new message or touch the database on shutdown.
      if (deps.isStopped()) throw new ExecutionStoppedError();
      return handler(input);
    };
  }
  return handlers;
}

function invokeLambda(task: TaskStateInfo, deps: TaskHandlerDeps): TaskHandler {
  const lambda = deps.lambdas[task.name];
  if (!lambda) throw new LocalDefinitionError(`No local handler for Lambda task state "${task.name}".`);
  const call = async (payload: unknown): Promise<JsonValue> => {
    try {
      // Lambda payloads travel as JSON: undefined becomes null, Dates become strings, as in AWS.
      return JSON.parse(JSON.stringify((await lambda(payload)) ?? null)) as JsonValue;
    } catch (error) {
      // Lambda reports errorType/errorMessage; Step Functions uses the type as Error and the JSON as Cause.
      const errorType = error instanceof Error ? error.name : 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      throw new TaskFailedError(errorType, JSON.stringify({ errorType, errorMessage }));
    }
  };
  if (task.kind === 'lambda-arn') return (input) => call(input);
  // The lambda:invoke integration receives {FunctionName, Payload} and answers with the invoke response.
  return async (input) => {
    const payload = isObject(input) ? input.Payload : undefined;
    return { ExecutedVersion: '$LATEST', Payload: await call(payload), StatusCode: 200 };
  };
}

function sendAndWait(task: TaskStateInfo, deps: TaskHandlerDeps): TaskHandler {
  return async (input) => {
    if (!isObject(input) || typeof input.QueueUrl !== 'string' || input.MessageBody === undefined) {
      throw new LocalDefinitionError(`State "${task.name}": Parameters must give QueueUrl and MessageBody.`);
    }
    // The SQS integration sends a string MessageBody as is and serialises an object one to JSON.
    const template = typeof input.MessageBody === 'string' ? input.MessageBody : JSON.stringify(input.MessageBody);
    if (!template.includes(TASK_TOKEN_PLACEHOLDER)) {
      throw new LocalDefinitionError(`State "${task.name}": the MessageBody must carry $$.Task.Token.`);
    }
    const taskToken = `local-${randomUUID()}`;
    const outcome = deps.callbacks.waitFor(taskToken, task.timeoutSeconds * 1000);
    try {
      await deps.queues.send(input.QueueUrl, template.replaceAll(TASK_TOKEN_PLACEHOLDER, taskToken));
    } catch (error) {
      deps.callbacks.forget(taskToken);
      throw sqsError(error);
    }
    return (await outcome) as JsonValue;
  };
}

// Step Functions names SQS integration failures after the Java SDK's exception classes.
function sqsError(error: unknown): TaskFailedError {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const answeredByService = isObject(error) && isObject(error.$metadata) && error.$metadata.httpStatusCode;
  const kind = answeredByService ? 'SQS.AmazonSQSException' : 'SQS.SdkClientException';
  return new TaskFailedError(kind, `${name}: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
