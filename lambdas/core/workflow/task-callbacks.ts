/**
 * How a worker reports the outcome of a `waitForTaskToken` task back to the state machine. In AWS this is
 * SendTaskSuccess/SendTaskFailure; locally it settles the promise the driver is waiting on.
 */
export interface TaskCallbacks {
  /** `output` must be JSON-serialisable; the state machine receives it as the task's result. */
  succeed(taskToken: string, output: unknown): Promise<void>;
  /** `error` becomes the task's error name, matched by the state machine's Retry and Catch rules. */
  fail(taskToken: string, error: string, cause: string): Promise<void>;
  heartbeat?(taskToken: string): Promise<void>;
}

/**
 * The token no longer belongs to a waiting task: it timed out, was already answered, or its execution
 * stopped. The state machine has moved on (a retry sent a fresh message with a new token), so the worker
 * should acknowledge its message and drop it rather than retry the callback.
 */
export class StaleTaskTokenError extends Error {
  constructor(taskToken: string, options?: { cause?: unknown }) {
    super(
      `Task token ${abbreviate(taskToken)} is not awaited any more (timed out, already answered or its ` +
        'execution stopped); acknowledge the message and drop it.',
      options,
    );
    this.name = 'StaleTaskTokenError';
  }
}

// AWS task tokens are hundreds of characters long; enough of one to find it in logs is plenty.
function abbreviate(taskToken: string): string {
  return taskToken.length > 24 ? `${taskToken.slice(0, 24)}…` : taskToken;
}
