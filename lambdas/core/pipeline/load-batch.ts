import { NonRetryableError } from '../errors.js';
import type { BatchEntry, Scope } from '../ports.js';
import type { RunRecord } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import type { Testcase } from '../schemas/testset.js';
import type { BatchTask, PipelineDeps, WorkflowDeps } from './deps.js';

export interface LoadedBatch<Extra = undefined> {
  scope: Scope;
  run: Run;
  /** What `alongside` loaded. */
  extra: Extra;
  /** In manifest order. */
  records: RunRecord[];
  /** Ids of the records that are stored; the others were built from their testcases and are not written yet. */
  stored: Set<string>;
}

/**
 * The run and the records of one batch. Records not written yet are built from the manifest's plan (testcase
 * and trial) when `unwritten` is 'build', as the executor and MarkBatchErrored need them; the scorer only scores
 * what was executed and passes 'skip'. A testcase deleted before its record ran gives an errored record.
 * `alongside` loads what needs only the run (the executor's system version) beside the records.
 */
export async function loadBatch<Extra = undefined>(
  deps: WorkflowDeps,
  task: BatchTask,
  unwritten: 'build' | 'skip',
  alongside?: (scope: Scope, run: Run) => Promise<Extra>,
): Promise<LoadedBatch<Extra>> {
  const scope: Scope = { orgId: task.orgId };
  // Two round trips, not four: every batch of a run starts at once, so each sequential read is felt by all.
  const [run, entries] = await Promise.all([
    deps.runs.get(scope, task.runId),
    deps.batches.get(task.runId, task.batch),
  ]);
  if (!run) throw new NonRetryableError(`run ${task.runId} does not exist`);
  if (!entries) throw new NonRetryableError(`run ${run.id} has no batch ${task.batch}`);
  // The testcases are read beside the records rather than after them: only a redelivered batch has stored
  // records, and reading its testcases for nothing is cheaper than a third round trip on every first delivery.
  const testcaseIds = unwritten === 'build' ? [...new Set(entries.flatMap((e) => e.testcaseId ?? []))] : [];
  const [storedRecords, testcases, extra] = await Promise.all([
    deps.records.getMany(
      scope,
      entries.map((e) => e.recordId),
    ),
    testcaseIds.length > 0 ? deps.testcases.getMany(scope, testcaseIds) : [],
    alongside?.(scope, run) as Promise<Extra>,
  ]);
  const byId = new Map(storedRecords.map((r) => [r.id, r]));
  const stored = new Set(byId.keys());
  if (unwritten === 'build') {
    const byTestcase = new Map(testcases.map((t) => [t.id, t]));
    for (const entry of entries) {
      if (stored.has(entry.recordId) || entry.testcaseId === undefined) continue;
      byId.set(entry.recordId, plannedRecord(run, entry, byTestcase.get(entry.testcaseId)));
    }
  }
  return { scope, run, extra, records: entries.flatMap((e) => byId.get(e.recordId) ?? []), stored };
}

/** Why a planned record cannot run: its testcase is gone, or was stored with validation errors. */
export function unrunnableReason(testcaseId: string, testcase: Testcase | undefined): string | null {
  if (!testcase) return `testcase ${testcaseId} was deleted before this record ran`;
  const issues = testcase.validationErrors ?? [];
  if (issues.length === 0) return null;
  const listed = issues.map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join('; ');
  return `testcase ${testcaseId} ${FAILED_VALIDATION}: ${listed}`;
}

const FAILED_VALIDATION = 'failed validation, so it was not run';

/** A record errored because its testcase failed validation (counted apart in the run's explanation). */
export const isInvalidTestcaseRecord = (record: Pick<RunRecord, 'error'>) =>
  record.error?.includes(FAILED_VALIDATION) ?? false;

function plannedRecord(run: Run, entry: BatchEntry, testcase: Testcase | undefined): RunRecord {
  const reason = unrunnableReason(entry.testcaseId!, testcase);
  return {
    id: entry.recordId,
    runId: run.id,
    testcaseId: entry.testcaseId!,
    inputs: testcase?.inputs ?? {},
    expected: testcase?.expected ?? {},
    outputs: {},
    status: reason ? 'errored' : 'pending',
    error: reason,
    latencyMs: null,
    usage: null,
    costUsd: null,
    trial: entry.trial ?? 0,
    createdAt: run.createdAt, // the time its positional id encodes
  };
}

/**
 * A cancel stops new work within about a second: the flag is re-read at most once a second per run. `initial`
 * was just read, so it also refreshes the shared flag instead of a second read of the run.
 */
export function cancellationProbe(deps: PipelineDeps, scope: Scope, runId: string, initial: Run) {
  deps.caches.sawRun(scope, initial);
  return async () => initial.status === 'cancelled' || deps.caches.isCancelled(scope, runId);
}

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
