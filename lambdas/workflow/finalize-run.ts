import { pipelineRuntime } from '../aws/lambda-runtime.js';
import { finalizeRun } from '../core/pipeline/finalize-run.js';

/** State machine task: aggregates and the final status. */
const runtime = await pipelineRuntime();

export const handler = (event: Parameters<typeof finalizeRun>[1]) => finalizeRun(runtime.deps, event);
