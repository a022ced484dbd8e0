import { NonRetryableError } from '../errors.js';
import type { BatchEntry, Scope } from '../ports.js';
import type { RunRecord } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import type { Testcase } from '../schemas/testset.js';
import type { BatchTask, PipelineDeps, WorkflowDeps } from './deps.js';

export interface LoadedBatch {
  scope: Scope;
  run: Run;
  /** In manifest order. */
  records: RunRecord[];
  /** Ids of the records that are stored; the others were built from their testcases and are not written yet. */
  stored: Set<string>;
}

/**
 * The run and the records of one batch. Records not written yet are built from the manifest's plan (testcase
 * and trial) when `unwritten` is 'build', as the executor and MarkBatchErrored need them; the scorer only scores
 * what was executed and passes 'skip'. A testcase deleted before its record ran gives an errored record.
 */
export async function loadBatch(
  deps: WorkflowDeps,
  task: BatchTask,
  unwritten: 'build' | 'skip',
): Promise<LoadedBatch> {
  const scope: Scope = { orgId: task.orgId };
  const run = await deps.runs.get(scope, task.runId);
  if (!run) throw new NonRetryableError(`run ${task.runId} does not exist`);
  const entries = await deps.batches.get(run.id, task.batch);
  if (!entries) throw new NonRetryableError(`run ${run.id} has no batch ${task.batch}`);
  const byId = new Map(
    (
      await deps.records.getMany(
        scope,
        entries.map((e) => e.recordId),
      )
    ).map((r) => [r.id, r]),
  );
  const stored = new Set(byId.keys());
  const planned = entries.filter((e) => !stored.has(e.recordId) && e.testcaseId !== undefined);
  if (unwritten === 'build' && planned.length > 0) {
    const testcases = new Map(
      (await deps.testcases.getMany(scope, [...new Set(planned.map((e) => e.testcaseId!))])).map((t) => [t.id, t]),
    );
    for (const entry of planned) byId.set(entry.recordId, plannedRecord(run, entry, testcases.get(entry.testcaseId!)));
  }
  return { scope, run, records: entries.flatMap((e) => byId.get(e.recordId) ?? []), stored };
}

function plannedRecord(run: Run, entry: BatchEntry, testcase: Testcase | undefined): RunRecord {
  return {
    id: entry.recordId,
    runId: run.id,
    testcaseId: entry.testcaseId!,
    inputs: testcase?.inputs ?? {},
    expected: testcase?.expected ?? {},
    outputs: {},
    status: testcase ? 'pending' : 'errored',
    error: testcase ? null : `testcase ${entry.testcaseId} was deleted before this record ran`,
    latencyMs: null,
    usage: null,
    costUsd: null,
    trial: entry.trial ?? 0,
    createdAt: run.createdAt, // the time its positional id encodes
  };
}

/** A cancel stops new work within about a second: the flag is re-read at most once a second per run. */
export function cancellationProbe(deps: PipelineDeps, scope: Scope, runId: string, initial: Run) {
  return async () => initial.status === 'cancelled' || deps.caches.isCancelled(scope, runId);
}

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
