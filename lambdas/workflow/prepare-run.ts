import { workflowRuntime } from '../aws/lambda-runtime.js';
import { type PrepareRunInput, prepareRun } from '../core/pipeline/prepare-run.js';

/** State machine task: plans the run's records into batch manifests (the executor writes each record once). */
const runtime = workflowRuntime();

export const handler = (event: PrepareRunInput) => prepareRun(runtime.deps, event);
