import { StaleTaskTokenError, type TaskCallbacks } from '../../lambdas/core/workflow/task-callbacks.js';
import { TaskFailedError } from './errors.js';

interface PendingTask {
  resolve(output: unknown): void;
  reject(error: Error): void;
  expiry: NodeJS.Timeout;
}

/**
 * Local `TaskCallbacks`: each task token the driver hands out maps to a promise the waiting Task state
 * awaits. Workers call `succeed`/`fail` exactly as they would call Step Functions.
 */
export class LocalTaskCallbacks implements TaskCallbacks {
  private readonly pending = new Map<string, PendingTask>();
  private closedWith: Error | undefined;

  /**
   * Registers a token and returns what the worker reports for it. Register before sending the message,
   * or a fast worker could answer before anyone listens. aws-local-stepfunctions enforces the Task's
   * timeout itself; dropping the token at the same moment makes a late callback fail with
   * StaleTaskTokenError, as SendTaskSuccess answers TaskTimedOut in AWS.
   */
  waitFor(taskToken: string, timeoutMs: number): Promise<unknown> {
    if (this.closedWith) throw this.closedWith;
    let resolve!: PendingTask['resolve'];
    let reject!: PendingTask['reject'];
    const promise = new Promise<unknown>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    // Left pending on purpose: the library's timer, created just after this one, fails the task.
    const expiry = setTimeout(() => this.pending.delete(taskToken), timeoutMs);
    // Never keep a finished process alive for a task nobody waits on any more.
    expiry.unref();
    this.pending.set(taskToken, { resolve, reject, expiry });
    // close() may reject while the message is still being sent, before the caller awaits the promise.
    promise.catch(() => undefined);
    return promise;
  }

  async succeed(taskToken: string, output: unknown): Promise<void> {
    // Round-trip through JSON as SendTaskSuccess does, so local runs see exactly what AWS would deliver.
    const json = JSON.stringify(output === undefined ? null : output);
    this.take(taskToken).resolve(JSON.parse(json));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    this.take(taskToken).reject(new TaskFailedError(error, cause));
  }

  async heartbeat(taskToken: string): Promise<void> {
    // HeartbeatSeconds is not enforced by aws-local-stepfunctions, so a heartbeat only proves the token is live.
    if (!this.pending.has(taskToken)) throw new StaleTaskTokenError(taskToken);
  }

  /** Forgets a token whose message could not be sent; its task fails with the send error instead. */
  forget(taskToken: string): void {
    const task = this.pending.get(taskToken);
    if (!task) return;
    clearTimeout(task.expiry);
    this.pending.delete(taskToken);
  }

  /** Fails every waiting task with `error` and refuses new ones: used when the driver stops. */
  close(error: Error): void {
    this.closedWith = error;
    for (const [taskToken, task] of this.pending) {
      clearTimeout(task.expiry);
      this.pending.delete(taskToken);
      task.reject(error);
    }
  }

  get waitingCount(): number {
    return this.pending.size;
  }

  private take(taskToken: string): PendingTask {
    const task = this.pending.get(taskToken);
    if (!task) throw new StaleTaskTokenError(taskToken);
    clearTimeout(task.expiry);
    this.pending.delete(taskToken);
    return task;
  }
}
