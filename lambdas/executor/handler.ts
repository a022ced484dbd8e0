import { pipelineRuntime } from '../aws/lambda-runtime.js';
import { QUEUE_DEFINITIONS } from '../aws/queue-definitions.js';
import { createSqsWorkerHandler } from '../aws/sqs-worker.js';
import { instrumentWorker } from '../aws/worker-metrics.js';
import { handleWorkerMessage } from '../core/pipeline/worker.js';

/** Executor queue → runs the system on one batch of records → SendTaskSuccess. */
// EMF metrics: records/scores per batch and LLM latency (lambdas/aws/worker-metrics.ts).
const runtime = instrumentWorker(await pipelineRuntime(), 'executor');

export const handler = runtime.publishing(
  createSqsWorkerHandler(
    (delivery) => handleWorkerMessage(runtime.deps, runtime.callbacks, delivery),
    QUEUE_DEFINITIONS.executor.maxReceiveCount,
  ),
);
