import { pipelineRuntime } from '../aws/lambda-runtime.js';
import { workerHandler } from '../aws/worker-handler.js';

/** Executor queue → runs the system on one batch of records → SendTaskSuccess. */
export const handler = workerHandler(await pipelineRuntime(), 'executor');
