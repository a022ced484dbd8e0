import { groupCommit } from '../core/group-commit.js';
import type { Scope } from '../core/ports.js';
import { TestsetMembers } from '../core/records/testset-members.js';
import { completeIfDone } from '../core/runs/complete.js';
import type { CreateRecord, RunRecord } from '../core/schemas/record.js';
import type { Run } from '../core/schemas/run.js';
import { postRecords } from '../core/services/runs.js';
import type { ApiDeps } from './context.js';

/** Records per flush: one SQS message of record ids, four BatchWriteItem calls. */
const MAX_RECORDS_PER_FLUSH = 100;
/**
 * One flush of a run at a time keeps trial numbers in arrival order; measured on the 300-POST burst, two or
 * three in flight were no faster (they share the same emulator thread).
 */
const FLUSHES_IN_FLIGHT = 1;

interface Posted {
  scope: Scope;
  runId: string;
  input: CreateRecord;
}

/**
 * POST /runs/{id}/records under a burst. Scorecard's runAndEvaluate posts every record of a run at once (300
 * concurrent POSTs for 100 testcases × 3 trials); written one by one, each POST paid a run read, a record
 * write, a counter update and a queue message, and they all queued for the same CPU (a median of seconds).
 * Here the records of a run that arrive together are written together (see groupCommit): one of each per
 * flush. A POST still answers only once its record is stored, counted and queued for scoring.
 */
export function recordIntake(deps: ApiDeps) {
  // One per API process: checking a posted record's testcaseId then needs no read of its own.
  const members = new TestsetMembers(deps.testcases);
  const post = groupCommit<Posted, RunRecord>(
    async (_key, items) => {
      const { scope, runId } = items[0]!;
      const queue = async (run: Run, records: RunRecord[]) => {
        if (run.metricVersionIds.length > 0) {
          await deps.launcher.scoreRecords(
            scope,
            run.id,
            records.map((r) => r.id),
          );
        }
      };
      const { run, results } = await postRecords(
        deps,
        scope,
        runId,
        items.map((i) => i.input),
        members,
        queue,
      );
      // Nothing to score: the run is complete as soon as its expected records are in (and counted).
      if (run.metricVersionIds.length === 0 && results.some((r) => !(r instanceof Error))) {
        await completeIfDone(deps, scope, run.id);
      }
      return results;
    },
    { maxItems: MAX_RECORDS_PER_FLUSH, maxInFlight: FLUSHES_IN_FLIGHT },
  );
  return (scope: Scope, runId: string, input: CreateRecord) => post(`${scope.orgId}/${runId}`, { scope, runId, input });
}
