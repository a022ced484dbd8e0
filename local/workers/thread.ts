import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { PipelineHooks } from '../../lambdas/core/pipeline/deps.js';
import type { RunRecord } from '../../lambdas/core/schemas/record.js';
import type { ProjectSecretReader } from '../../lambdas/core/secrets/ports.js';
import type { LocalTaskCallbacks } from '../stepfunctions/task-callbacks.js';
import { connect } from './rpc.js';
import type { WorkerThreadData } from './runtime.js';

export interface WorkerThreadOptions {
  data: Omit<WorkerThreadData, 'hasHooks'>;
  callbacks: Pick<LocalTaskCallbacks, 'succeed' | 'fail'>;
  projectSecrets: ProjectSecretReader;
  hooks?: PipelineHooks;
  log: (line: string) => void;
}

/**
 * Starts the local executor/scorer on a worker thread (as Lambda runs them apart from the API and the state
 * machine) and answers its calls: task callbacks to the local state machine, project secrets (the store file has one
 * writer, the API on this thread), and test hooks.
 */
export async function startWorkerThread(options: WorkerThreadOptions) {
  const worker = new Worker(new URL('./boot.mjs', import.meta.url), {
    workerData: { ...options.data, hasHooks: Boolean(options.hooks?.beforeRecord) } satisfies WorkerThreadData,
  });
  let ready!: () => void;
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const thread = connect(worker, {
    ready: () => ready(),
    succeed: (token: string, output: unknown) => options.callbacks.succeed(token, output),
    fail: (token: string, error: string, cause: string) => options.callbacks.fail(token, error, cause),
    secret: (orgId: string, projectId: string, name: string) =>
      options.projectSecrets.value({ orgId }, projectId, name),
    beforeRecord: (phase: 'execute' | 'score', record: RunRecord, attempt: number) =>
      options.hooks?.beforeRecord?.(phase, record, attempt),
  });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  worker.on('error', (error) => options.log(`worker thread failed: ${error.message}`));
  await Promise.race([started, failed]);
  return {
    eventLoop: () => thread.call<EventLoopUtilization>('eventLoop'),
    async stop() {
      await thread.call('stop');
      await worker.terminate();
    },
  };
}
