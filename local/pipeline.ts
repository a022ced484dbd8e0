import { randomUUID } from 'node:crypto';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createPipelineDeps, type PipelineSettings } from '../lambdas/aws/pipeline-deps.js';
import { UrlPolicy } from '../lambdas/core/net/url-policy.js';
import type { PipelineDeps } from '../lambdas/core/pipeline/deps.js';
import { markBatchErrored } from '../lambdas/core/pipeline/mark-batch-errored.js';
import { prepareRun } from '../lambdas/core/pipeline/prepare-run.js';
import { scoreRecordsMessages } from '../lambdas/core/pipeline/worker.js';
import { finalizeRun, workflowTallies } from '../lambdas/core/runs/finalize.js';
import { isExecutedRun } from '../lambdas/core/runs/lifecycle.js';
import type { RunExecutions, RunLauncher } from '../lambdas/core/runs/ports.js';
import { NO_SECRETS } from '../lambdas/core/secrets/reader.js';
import type { StackCore, StackExtension } from './stack.js';
import { loadRunEvaluationDefinition } from './stepfunctions/definition.js';
import { createLocalStateMachineDriver } from './stepfunctions/run-state-machine.js';
import { startWorkerThread } from './workers/thread.js';

export type LocalPipelineOptions = Partial<PipelineSettings> & {
  /** Concurrent messages per worker queue (an event source mapping's maximumConcurrency), per worker thread. */
  workerConcurrency?: number;
  /**
   * Worker threads polling the queues, each with its own clients and limiters, as separate Lambda instances
   * would be (default 1). Tests use several to show that a run's budget holds across workers.
   */
  workerThreads?: number;
  log?: (line: string) => void;
};

/**
 * The run pipeline of the embedded stack: the real state-machine JSON on aws-local-stepfunctions, its Lambda
 * tasks mapped to the same functions the Lambdas export, and a worker thread with one SQS poller per worker
 * queue feeding the same SQS handlers. Runs that were in flight when the process stopped are resumed.
 */
export function localPipeline(options: LocalPipelineOptions = {}) {
  return async (
    core: StackCore,
  ): Promise<
    StackExtension & {
      deps: PipelineDeps;
      executions: RunExecutions;
      stopExecution(runId: string): boolean;
      whenIdle(): Promise<void>;
      workerEventLoop(): Promise<EventLoopUtilization>;
    }
  > => {
    const { clients, queueUrls } = core.emulators;
    const log = options.log ?? (() => {});
    const settings = {
      openaiApiKey: options.openaiApiKey ?? process.env.OPENAI_API_KEY,
      openaiBaseURL: options.openaiBaseURL ?? process.env.OPENAI_BASE_URL,
      // Never the process environment: a template could otherwise read HOME, the data dir or OPENAI_API_KEY.
      projectSecrets: options.projectSecrets ?? NO_SECRETS,
      outbound: options.outbound ?? new UrlPolicy(),
      modelPrices: options.modelPrices ?? process.env.VERDICT_MODEL_PRICES,
    };
    // The workflow's Lambda tasks run here; the SQS workers run on their own thread (see startWorkerThread).
    const deps = createPipelineDeps(core.repositories, { ...settings, retry: options.retry });
    const send = async (queueUrl: string, body: string) => {
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    };

    const driver = createLocalStateMachineDriver({
      definition: loadRunEvaluationDefinition({
        executorQueueUrl: queueUrls.executor,
        scorerQueueUrl: queueUrls.scorer,
      }),
      lambdas: {
        PrepareRun: (payload) => prepareRun(deps, payload as Parameters<typeof prepareRun>[1]),
        MarkBatchErrored: (payload) => markBatchErrored(deps, payload as Parameters<typeof markBatchErrored>[1]),
        FinalizeRun: (payload) =>
          finalizeRun(deps, payload as Parameters<typeof finalizeRun>[1], workflowTallies(deps)),
      },
      queues: { send },
    });

    const startWorker = (index: number) =>
      startWorkerThread({
        data: {
          endpoints: core.emulators.endpoints,
          queueUrls,
          tableName: core.repositories.table.tableName,
          bucketName: core.repositories.blobs.bucket,
          openaiApiKey: settings.openaiApiKey,
          openaiBaseURL: settings.openaiBaseURL,
          outbound: { allowPrivate: settings.outbound.allowPrivate, deniedPorts: [...settings.outbound.deniedPorts] },
          modelPrices: settings.modelPrices,
          retry: options.retry,
          maxLlmConcurrency: options.maxLlmConcurrency,
          orgMaxConcurrency: options.orgMaxConcurrency,
          workerConcurrency: options.workerConcurrency ?? 40,
          // A data dir this process opened is its alone: its threads' names outlive a crash. On emulators another
          // process runs (and may share), each start holds its leases under a fresh id, as a Lambda would.
          permitHolder: core.emulators.listening ? `local-worker-${index}` : `local-worker-${index}-${randomUUID()}`,
        },
        callbacks: driver.callbacks,
        projectSecrets: settings.projectSecrets,
        hooks: options.hooks,
        log,
      });
    const threads = await Promise.all(
      Array.from({ length: Math.max(1, options.workerThreads ?? 1) }, (_, i) => startWorker(i)),
    );
    const workers = threads[0]!;

    const executions = new Set<Promise<unknown>>();
    // Per run, its latest execution (to stop it) and, once it ended without finalizing, why.
    const latest = new Map<string, { abort(): void }>();
    const endedWithout = new Map<string, string>();
    const launcher: RunLauncher = {
      async start(scope, runId, mode) {
        const execution = driver.start({ runId, orgId: scope.orgId, mode });
        latest.set(runId, execution);
        endedWithout.delete(runId);
        const settled = execution.done
          .catch(async (error: unknown) => {
            const reason = error instanceof Error ? error.message : String(error);
            if (latest.get(runId) === execution) endedWithout.set(runId, reason);
            log(`run ${runId}: workflow ended without finalizing (${reason})`);
          })
          .finally(() => {
            executions.delete(settled);
            if (latest.get(runId) === execution) latest.delete(runId);
          });
        executions.add(settled);
      },
      async scoreRecords(scope, runId, recordIds) {
        for (const message of scoreRecordsMessages(scope, runId, recordIds, { posted: true })) {
          await send(queueUrls.scorer, message);
        }
      },
    };

    // Resume what a previous process left running: the handlers skip whatever was already finished.
    for (const { orgId, run } of await core.repositories.runs.listActive()) {
      // A monitor tick wrote all of its records: finishing its scoring is a rescore-mode workflow.
      if (run.source === 'monitor' && !run.testsetId && run.numRecords > 0) {
        log(`resuming monitor run ${run.id}`);
        await launcher.start({ orgId }, run.id, 'rescore');
      } else if (await isExecutedRun(core.repositories, { orgId }, run)) {
        log(`resuming run ${run.id}`);
        await launcher.start({ orgId }, run.id, run.generation > 0 ? 'rescore' : 'execute');
      } else if (run.numRecords > 0 && run.metricVersionIds.length > 0) {
        const recordIds = await core.repositories.records.listIdsByRun({ orgId }, run.id);
        // Some may have been scored and counted before the restart: these messages count score by score.
        for (const message of scoreRecordsMessages({ orgId }, run.id, recordIds)) await send(queueUrls.scorer, message);
      }
    }

    return {
      deps,
      launcher,
      executions: {
        async endedWithoutFinalizing(_scope, runId) {
          return endedWithout.get(runId) ?? null;
        },
      },
      /** StopExecution for the run's running execution (tests kill a run mid-way); false if none runs. */
      stopExecution(runId: string) {
        const execution = latest.get(runId);
        execution?.abort();
        return execution !== undefined;
      },
      llmConfigured: Boolean(settings.openaiApiKey),
      /** The worker thread's event-loop utilisation (cumulative), for benchmarks. */
      workerEventLoop: () => workers.eventLoop(),
      /** Resolves once every workflow started so far has ended (tests use it to assert on a quiet system). */
      whenIdle: async () => {
        while (executions.size > 0) await Promise.allSettled([...executions]);
      },
      health: async () => ({ pipeline: 'ok' }),
      async stop() {
        await driver.stop();
        await Promise.all(threads.map((thread) => thread.stop()));
        await Promise.allSettled([...executions]);
      },
    };
  };
}
