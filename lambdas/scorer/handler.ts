import { readLambdaConfig } from '../aws/config.js';
import { pipelineRuntime } from '../aws/lambda-runtime.js';
import { QUEUE_DEFINITIONS } from '../aws/queue-definitions.js';
import { createSqsWorkerHandler, withDeadLetters } from '../aws/sqs-worker.js';
import { handleDeadLetter } from '../core/pipeline/dead-letters.js';
import { handleWorkerMessage } from '../core/pipeline/worker.js';

/** Scorer queue → scores a batch (or SDK-posted records) with every automatic metric → SendTaskSuccess. */
const runtime = await pipelineRuntime();

const deliveries = QUEUE_DEFINITIONS.scorer.maxReceiveCount;

export const handler = createSqsWorkerHandler(
  withDeadLetters(
    (delivery) => handleWorkerMessage(runtime.deps, runtime.callbacks, delivery),
    readLambdaConfig().DEAD_LETTER_QUEUE_ARN,
    (delivery) =>
      handleDeadLetter(runtime.deps, runtime.callbacks, { queue: 'scorer', body: delivery.body, deliveries }),
  ),
  deliveries,
);
