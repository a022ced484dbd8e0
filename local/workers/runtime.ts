import type { MessagePort } from 'node:worker_threads';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { type AwsEndpoints, createAwsClients } from '../../lambdas/aws/clients.js';
import { createPipelineDeps } from '../../lambdas/aws/pipeline-deps.js';
import { deadLetterQueueName, QUEUE_DEFINITIONS, type QueueRole } from '../../lambdas/aws/queue-definitions.js';
import { createRepositories } from '../../lambdas/aws/repositories.js';
import { createSqsWorkerHandler } from '../../lambdas/aws/sqs-worker.js';
import type { RetryOptions } from '../../lambdas/core/llm/retry.js';
import { UrlPolicy, type UrlPolicyOptions } from '../../lambdas/core/net/url-policy.js';
import { handleDeadLetter } from '../../lambdas/core/pipeline/dead-letters.js';
import { handleWorkerMessage } from '../../lambdas/core/pipeline/worker.js';
import { StaleTaskTokenError, type TaskCallbacks } from '../../lambdas/core/workflow/task-callbacks.js';
import { startQueuePoller } from '../queue-poller.js';
import { connect } from './rpc.js';

/** Everything the worker thread needs, as plain data (functions stay on the main thread, reached by RPC). */
export interface WorkerThreadData {
  endpoints: AwsEndpoints;
  queueUrls: Record<QueueRole, string>;
  tableName: string;
  bucketName: string;
  openaiApiKey?: string;
  openaiBaseURL?: string;
  /** The stack's outbound URL policy, as data: the API thread checks configs against the same one. */
  outbound: Required<Pick<UrlPolicyOptions, 'allowPrivate'>> & { deniedPorts: number[] };
  modelPrices?: string;
  retry?: RetryOptions;
  maxLlmConcurrency?: number;
  orgMaxConcurrency?: number;
  workerConcurrency: number;
  /** This thread's permit holder id, the same after a restart (see PipelineSettings.permitHolder). */
  permitHolder: string;
  hasHooks: boolean;
}

/**
 * The local stand-in for the executor and scorer Lambdas: its own thread, AWS clients and LLM client, polling
 * both queues and running the same SQS handlers. Task callbacks, secrets and test hooks go to the main thread.
 */
export async function runWorkerThread(data: WorkerThreadData, port: MessagePort) {
  const clients = createAwsClients(data.endpoints);
  const repositories = createRepositories(clients, { tableName: data.tableName, bucketName: data.bucketName });
  let pollers: Array<{ stop(): Promise<void> }> = [];
  const main = connect(port, {
    /** Cumulative event-loop utilisation of this thread, for benchmarks. */
    eventLoop: () => performance.eventLoopUtilization(),
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      clients.dynamo.destroy();
      clients.sqs.destroy();
      clients.s3.destroy();
    },
  });
  const deps = createPipelineDeps(repositories, {
    openaiApiKey: data.openaiApiKey,
    openaiBaseURL: data.openaiBaseURL,
    modelPrices: data.modelPrices,
    retry: data.retry,
    maxLlmConcurrency: data.maxLlmConcurrency,
    orgMaxConcurrency: data.orgMaxConcurrency,
    permitHolder: data.permitHolder,
    outbound: new UrlPolicy(data.outbound),
    projectSecrets: {
      value: (scope, projectId, name) => main.call<string | undefined>('secret', scope.orgId, projectId, name),
    },
    hooks: data.hasHooks
      ? { beforeRecord: (phase, record, attempt) => main.call<void>('beforeRecord', phase, record, attempt) }
      : undefined,
  });
  const staleAware = (call: Promise<void>, token: string) =>
    call.catch((error: Error) => {
      throw error.name === 'StaleTaskTokenError' ? new StaleTaskTokenError(token) : error;
    });
  const callbacks: TaskCallbacks = {
    succeed: (token, output) => staleAware(main.call('succeed', token, output), token),
    fail: (token, error, cause) => staleAware(main.call('fail', token, error, cause), token),
  };
  pollers = (['executor', 'scorer'] as const).map((role) =>
    startQueuePoller({
      sqs: clients.sqs,
      queueUrl: data.queueUrls[role],
      maxInFlight: data.workerConcurrency,
      handler: createSqsWorkerHandler(
        (delivery) => handleWorkerMessage(deps, callbacks, delivery),
        QUEUE_DEFINITIONS[role].maxReceiveCount,
      ),
    }),
  );
  // The dead-letter queues are consumed too: a poisoned message's records become errored, with the reason.
  for (const role of ['executor', 'scorer'] as const) {
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: deadLetterQueueName(role) }));
    const deliveries = QUEUE_DEFINITIONS[role].maxReceiveCount;
    pollers.push(
      startQueuePoller({
        sqs: clients.sqs,
        queueUrl: QueueUrl!,
        maxInFlight: 1,
        handler: createSqsWorkerHandler(async (delivery) => {
          await handleDeadLetter(deps, callbacks, { queue: role, body: delivery.body, deliveries });
        }, deliveries),
      }),
    );
  }
  await main.call('ready');
}
