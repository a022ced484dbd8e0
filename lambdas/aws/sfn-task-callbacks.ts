import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { StaleTaskTokenError, type TaskCallbacks } from '../core/workflow/task-callbacks.js';

// Step Functions rejects longer values with a ValidationException, which would lose the failure entirely.
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;

// Errors meaning the task is no longer waiting: retrying the callback can never succeed.
const STALE_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Reports worker outcomes to Step Functions for tasks started with `.waitForTaskToken`. */
export class SfnTaskCallbacks implements TaskCallbacks {
  constructor(private readonly client: SFNClient) {}

  async succeed(taskToken: string, output: unknown): Promise<void> {
    // JSON.stringify(undefined) is undefined, which the API refuses; a task with nothing to say returns null.
    const json = JSON.stringify(output === undefined ? null : output);
    await this.call(taskToken, () => this.client.send(new SendTaskSuccessCommand({ taskToken, output: json })));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    const command = new SendTaskFailureCommand({
      taskToken,
      error: error.slice(0, MAX_ERROR_LENGTH),
      cause: cause.slice(0, MAX_CAUSE_LENGTH),
    });
    await this.call(taskToken, () => this.client.send(command));
  }

  async heartbeat(taskToken: string): Promise<void> {
    await this.call(taskToken, () => this.client.send(new SendTaskHeartbeatCommand({ taskToken })));
  }

  private async call(taskToken: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (error instanceof Error && STALE_TOKEN_ERRORS.has(error.name)) {
        throw new StaleTaskTokenError(taskToken, { cause: error });
      }
      throw error;
    }
  }
}
