import { pipelineRuntime } from '../aws/lambda-runtime.js';
import { QUEUE_DEFINITIONS } from '../aws/queue-definitions.js';
import { createSqsWorkerHandler } from '../aws/sqs-worker.js';
import { handleWorkerMessage } from '../core/pipeline/worker.js';

/** Executor queue → runs the system on one batch of records → SendTaskSuccess. */
const runtime = await pipelineRuntime();

export const handler = createSqsWorkerHandler(
  (delivery) => handleWorkerMessage(runtime.deps, runtime.callbacks, delivery),
  QUEUE_DEFINITIONS.executor.maxReceiveCount,
);
