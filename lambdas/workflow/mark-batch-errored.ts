import { workflowRuntime } from '../aws/lambda-runtime.js';
import { markBatchErrored } from '../core/pipeline/mark-batch-errored.js';

/** State machine task (Catch of a batch): marks the batch's unfinished records errored. */
const runtime = workflowRuntime();

export const handler = (event: Parameters<typeof markBatchErrored>[1]) => markBatchErrored(runtime.deps, event);
