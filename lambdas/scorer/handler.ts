import { pipelineRuntime } from '../aws/lambda-runtime.js';
import { QUEUE_DEFINITIONS } from '../aws/queue-definitions.js';
import { createSqsWorkerHandler } from '../aws/sqs-worker.js';
import { instrumentWorker } from '../aws/worker-metrics.js';
import { handleWorkerMessage } from '../core/pipeline/worker.js';

/** Scorer queue → scores a batch (or SDK-posted records) with every automatic metric → SendTaskSuccess. */
// EMF metrics: records/scores per batch and LLM latency (lambdas/aws/worker-metrics.ts).
const runtime = instrumentWorker(await pipelineRuntime(), 'scorer');

export const handler = runtime.publishing(
  createSqsWorkerHandler(
    (delivery) => handleWorkerMessage(runtime.deps, runtime.callbacks, delivery),
    QUEUE_DEFINITIONS.scorer.maxReceiveCount,
  ),
);
