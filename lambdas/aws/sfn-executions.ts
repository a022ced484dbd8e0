import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Scope } from '../core/ports.js';
import type { RunExecutions, RunRepository } from '../core/runs/ports.js';

/**
 * A run's execution for one scoring pass is named after the run and the pass: a retried start (a monitor tick
 * or an API call repeated after StartExecution) finds the same execution instead of starting a second one, and
 * the sweeper finds the latest execution of a run from the run alone.
 */
export const executionName = (runId: string, generation: number) => `${runId}-g${generation}`;

/** `arn:<partition>:states:<region>:<account>:stateMachine:<name>` → that machine's execution of this name. */
export function executionArn(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[2] !== 'states' || parts[5] !== 'stateMachine') {
    throw new Error(`STATE_MACHINE_ARN is not a state machine ARN: ${stateMachineArn}`);
  }
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}

/** StartExecution and the run's first progress are a request apart; past this, a missing execution is news. */
export const DEFAULT_START_GRACE_MINUTES = 15;
const MAX_CAUSE = 500;

/**
 * What Step Functions knows of a run's latest execution (DescribeExecution on the name above): FAILED, TIMED_OUT
 * and ABORTED (the history limit fails an execution too) are reasons to settle the run now, with the
 * execution's error and cause; RUNNING, SUCCEEDED and PENDING_REDRIVE are not (a finalized run is no longer
 * active, and one that is still active is the last-progress bound's). An execution that does not exist when the
 * run has been quiet for `startGraceMinutes` was never started (StartExecution failed after the run was
 * written): a reason as well.
 */
export function sfnRunExecutions(options: {
  sfn: SFNClient;
  stateMachineArn: string;
  runs: Pick<RunRepository, 'get'>;
  startGraceMinutes?: number;
  now?: () => Date;
}): RunExecutions {
  const grace = (options.startGraceMinutes ?? DEFAULT_START_GRACE_MINUTES) * 60_000;
  const now = options.now ?? (() => new Date());
  return {
    async endedWithoutFinalizing(scope: Scope, runId: string) {
      const run = await options.runs.get(scope, runId);
      if (!run) return null;
      const name = executionName(runId, run.generation);
      try {
        const execution = await options.sfn.send(
          new DescribeExecutionCommand({ executionArn: executionArn(options.stateMachineArn, name) }),
        );
        const status = execution.status ?? 'UNKNOWN';
        if (status !== 'FAILED' && status !== 'TIMED_OUT' && status !== 'ABORTED') return null;
        const why = [execution.error, execution.cause?.slice(0, MAX_CAUSE)].filter(Boolean).join(': ');
        return `execution ${name} ${status.toLowerCase().replace('_', ' ')}${why ? `: ${why}` : ''}`;
      } catch (error) {
        if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
        const since = Date.parse(run.lastProgressAt ?? run.startedAt ?? run.createdAt);
        return now().getTime() - since >= grace ? `execution ${name} was never started` : null;
      }
    },
  };
}
