/** Errors the local driver raises inside an execution or reports for one. */

/**
 * A task failure as Step Functions reports it: the name is the error matched by Retry/Catch `ErrorEquals`
 * (aws-local-stepfunctions compares `error.name`), the message becomes the `Cause`.
 */
export class TaskFailedError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/**
 * Raised into tasks still running when the driver stops. aws-local-stepfunctions skips Retry and Catch for
 * errors whose `isRetryable`/`isCatchable` are false, so a shutdown never runs MarkBatchErrored or sends
 * a fresh message for a retry.
 */
export class ExecutionStoppedError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor() {
    super('The local state machine driver stopped while this task was running.');
    this.name = 'States.Aborted';
  }
}

/** A definition the local driver cannot run faithfully; fails the execution like States.Runtime in AWS. */
export class LocalDefinitionError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}

export type ExecutionStatus = 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** How an execution ended when it did not succeed, in DescribeExecution's terms. */
export class LocalExecutionError extends Error {
  constructor(
    readonly executionId: string,
    readonly status: ExecutionStatus,
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`Execution ${executionId} ${status}: ${error}: ${causeText}`);
    this.name = 'LocalExecutionError';
  }
}
