import { readLambdaConfig } from '../aws/config.js';
import { pipelineRuntime } from '../aws/lambda-runtime.js';
import { QUEUE_DEFINITIONS } from '../aws/queue-definitions.js';
import { createSqsWorkerHandler, withDeadLetters } from '../aws/sqs-worker.js';
import { handleDeadLetter } from '../core/pipeline/dead-letters.js';
import { handleWorkerMessage } from '../core/pipeline/worker.js';

/** Executor queue → runs the system on one batch of records → SendTaskSuccess. */
const runtime = await pipelineRuntime();

const deliveries = QUEUE_DEFINITIONS.executor.maxReceiveCount;

export const handler = createSqsWorkerHandler(
  withDeadLetters(
    (delivery) => handleWorkerMessage(runtime.deps, runtime.callbacks, delivery),
    readLambdaConfig().DEAD_LETTER_QUEUE_ARN,
    (delivery) =>
      handleDeadLetter(runtime.deps, runtime.callbacks, { queue: 'executor', body: delivery.body, deliveries }),
  ),
  deliveries,
);
