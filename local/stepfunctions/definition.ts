import { readFileSync } from 'node:fs';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { substitutePlaceholders } from '../../lambdas/core/workflow/substitute.js';

/** The run-evaluation definition deployed by CDK and run locally, one file for both. */
export const RUN_EVALUATION_ASL_URL = new URL('../../statemachines/run-evaluation.asl.json', import.meta.url);

/** Reads an ASL file, fills its `${Name}` placeholders and parses it. */
export function loadStateMachineDefinition(
  file: URL | string,
  substitutions: Readonly<Record<string, string>>,
): StateMachineDefinition {
  const parsed: unknown = JSON.parse(substitutePlaceholders(readFileSync(file, 'utf8'), substitutions));
  if (typeof parsed !== 'object' || parsed === null || !('StartAt' in parsed) || !('States' in parsed)) {
    throw new Error(`${String(file)} is not a state machine definition: it needs StartAt and States.`);
  }
  return parsed as StateMachineDefinition;
}

export interface RunEvaluationQueues {
  executorQueueUrl: string;
  scorerQueueUrl: string;
}

/**
 * The run-evaluation definition wired for local runs. The function ARNs are never called (the driver maps
 * Lambda states to handlers by state name) but must be well-formed for the library's ARN validation.
 */
export function loadRunEvaluationDefinition(queues: RunEvaluationQueues): StateMachineDefinition {
  return loadStateMachineDefinition(RUN_EVALUATION_ASL_URL, {
    PrepareRunFunctionArn: localFunctionArn('prepare-run'),
    MarkBatchErroredFunctionArn: localFunctionArn('mark-batch-errored'),
    FinalizeRunFunctionArn: localFunctionArn('finalize-run'),
    ExecutorQueueUrl: queues.executorQueueUrl,
    ScorerQueueUrl: queues.scorerQueueUrl,
  });
}

function localFunctionArn(name: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:verdict-local-${name}`;
}
