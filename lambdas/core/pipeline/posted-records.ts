import { createHash } from 'node:crypto';
import type { Scope } from '../ports.js';
import { completeIfDone } from '../runs/complete.js';
import type { PipelineDeps } from './deps.js';
import { scoreRecords } from './score-batch.js';

/**
 * Records posted through the API (the SDK's runAndEvaluate) are scored as they arrive. The run completes
 * itself once the expected number of records is in and every automatic score is written: SDK clients never
 * mark a run finished.
 */
export async function scorePostedRecords(
  deps: PipelineDeps,
  input: { orgId: string; runId: string; recordIds: string[]; posted?: boolean },
) {
  const scope: Scope = { orgId: input.orgId };
  const run = await deps.runs.get(scope, input.runId);
  if (!run || run.status === 'cancelled') return;
  const records = await deps.records.getMany(scope, input.recordIds);
  // A message of just-posted records is counted as a whole, once: its record ids name the claim.
  const claim = input.posted ? createHash('sha256').update(input.recordIds.join(',')).digest('hex') : undefined;
  await scoreRecords(deps, scope, run, records, claim);
  await completeIfDone(deps, scope, input.runId);
}
