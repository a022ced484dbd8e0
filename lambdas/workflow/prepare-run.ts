import { pipelineRuntime } from '../aws/lambda-runtime.js';
import { type PrepareRunInput, prepareRun } from '../core/pipeline/prepare-run.js';

/** State machine task: writes the run's pending records and batch manifests. */
const runtime = await pipelineRuntime();

export const handler = (event: PrepareRunInput) => prepareRun(runtime.deps, event);
