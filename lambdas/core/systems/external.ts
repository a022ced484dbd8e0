import { NonRetryableError } from '../errors.js';

/** External systems run elsewhere; the executor is never meant to reach one, so reaching it is a wiring bug. */
export function runExternal(): never {
  throw new NonRetryableError(
    'external systems are not executed by Verdict: post their records with POST /runs/{runId}/records',
  );
}
