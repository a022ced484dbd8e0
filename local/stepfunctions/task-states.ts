import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { LocalDefinitionError } from './errors.js';

/** How the local driver stands in for a Task state's AWS resource. */
export type TaskKind = 'lambda-invoke' | 'lambda-arn' | 'sqs-wait-for-task-token';

export interface TaskStateInfo {
  name: string;
  kind: TaskKind;
  /** What aws-local-stepfunctions enforces: the state's TimeoutSeconds, else its own 60 s default. */
  timeoutSeconds: number;
}

// aws-local-stepfunctions' per-Task default when TimeoutSeconds is absent (AWS has no such default).
export const LIBRARY_DEFAULT_TASK_TIMEOUT_SECONDS = 60;

type StateNode = {
  Type?: unknown;
  Resource?: unknown;
  TimeoutSeconds?: unknown;
  TimeoutSecondsPath?: unknown;
  ItemProcessor?: unknown;
  Iterator?: unknown;
  Branches?: unknown;
};
type StatesNode = { States?: Record<string, StateNode> };

/**
 * Every Task state in the definition, including those nested in Map and Parallel states. The library
 * looks overrides up by bare state name at any depth, so names must be unique across the whole machine.
 */
export function collectTaskStates(definition: StateMachineDefinition): TaskStateInfo[] {
  const tasks: TaskStateInfo[] = [];
  const seen = new Set<string>();
  const visit = (machine: StatesNode): void => {
    for (const [name, state] of Object.entries(machine.States ?? {})) {
      if (seen.has(name)) {
        throw new LocalDefinitionError(`State name "${name}" is used twice; the local driver maps tasks by name.`);
      }
      seen.add(name);
      if (state.Type === 'Task') tasks.push(describeTask(name, state));
      for (const nested of [state.ItemProcessor, state.Iterator]) {
        if (nested) visit(nested as StatesNode);
      }
      if (Array.isArray(state.Branches)) for (const branch of state.Branches) visit(branch as StatesNode);
    }
  };
  visit(definition as StatesNode);
  return tasks;
}

function describeTask(name: string, state: StateNode): TaskStateInfo {
  if (state.TimeoutSecondsPath !== undefined) {
    throw new LocalDefinitionError(`State "${name}": TimeoutSecondsPath is not supported locally; use TimeoutSeconds.`);
  }
  const timeoutSeconds =
    typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : LIBRARY_DEFAULT_TASK_TIMEOUT_SECONDS;
  return { name, kind: taskKind(name, state.Resource), timeoutSeconds };
}

function taskKind(name: string, resource: unknown): TaskKind {
  if (resource === 'arn:aws:states:::lambda:invoke') return 'lambda-invoke';
  if (resource === 'arn:aws:states:::sqs:sendMessage.waitForTaskToken') return 'sqs-wait-for-task-token';
  if (typeof resource === 'string' && /^arn:aws[a-z-]*:lambda:/.test(resource)) return 'lambda-arn';
  throw new LocalDefinitionError(
    `State "${name}": resource ${String(resource)} has no local stand-in; ` +
      'use lambda:invoke, a Lambda function ARN or sqs:sendMessage.waitForTaskToken.',
  );
}
