import { workflowRuntime } from '../aws/lambda-runtime.js';
import { finalizeRun, workflowTallies } from '../core/runs/finalize.js';

/** State machine task: aggregates and the final status. */
const runtime = workflowRuntime();

export const handler = (event: Parameters<typeof finalizeRun>[1]) =>
  finalizeRun(runtime.deps, event, workflowTallies(runtime.deps));
