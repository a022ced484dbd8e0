import { groupCommit } from '../core/group-commit.js';
import { completeIfDone } from '../core/pipeline/posted-records.js';
import type { Scope } from '../core/ports.js';
import type { CreateRecord, RunRecord } from '../core/schemas/record.js';
import { postRecords } from '../core/services/runs.js';
import type { ApiDeps } from './context.js';

/** Records per flush: one SQS message of record ids, four BatchWriteItem calls. */
const MAX_RECORDS_PER_FLUSH = 100;

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
  const post = groupCommit<Posted, RunRecord>(
    async (_key, items) => {
      const { scope, runId } = items[0]!;
      const { run, records } = await postRecords(
        deps,
        scope,
        runId,
        items.map((i) => i.input),
      );
      if (deps.launcher && run.metricVersionIds.length > 0) {
        await deps.launcher.scoreRecords(
          scope,
          run.id,
          records.map((r) => r.id),
        );
      } else if (run.metricVersionIds.length === 0) {
        // Nothing to score: the run is complete as soon as its expected records are in.
        await completeIfDone(deps, scope, run.id);
      }
      return records;
    },
    { maxItems: MAX_RECORDS_PER_FLUSH },
  );
  return (scope: Scope, runId: string, input: CreateRecord) => post(`${scope.orgId}/${runId}`, { scope, runId, input });
}
