import { pipelineRuntime } from '../aws/lambda-runtime.js';
import { workerHandler } from '../aws/worker-handler.js';

/** Scorer queue → scores a batch (or SDK-posted records) with every automatic metric → SendTaskSuccess. */
export const handler = workerHandler(await pipelineRuntime(), 'scorer');
