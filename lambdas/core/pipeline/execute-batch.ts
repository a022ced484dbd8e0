import { withRetries } from '../llm/retry.js';
import type { Scope } from '../ports.js';
import type { RunRecord } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import type { SystemConfig } from '../schemas/system.js';
import { runSystem, type SystemDeps } from '../systems/index.js';
import { type BatchTask, checkDeadline, type PipelineDeps, type RemainingTime } from './deps.js';
import { cancellationProbe, errorMessage, isInvalidTestcaseRecord, loadBatch } from './load-batch.js';
import { settleAll, writeAsFinished } from './settle.js';
import { systemResultProblem } from './storable.js';

export interface BatchOutcome {
  completed: number;
  errored: number;
  skipped: number;
}

const isFinished = (r: RunRecord) => r.status === 'completed' || r.status === 'errored';

/**
 * Runs the system on every unfinished record of a batch, concurrently within the run's budget, writes the
 * results in bulk, and adds the batch's totals to the run once (the batch claim). Faults of the system
 * (timeouts, 5xx, 429 after retries, bad replies) are recorded on the record, never thrown: the run goes on.
 * A fault of the worker itself is thrown after the finished records are saved, so SQS redelivers the batch and
 * only the rest is executed again.
 */
export async function executeBatch(
  deps: PipelineDeps,
  task: BatchTask,
  attempt = 1,
  remainingMs?: RemainingTime,
): Promise<BatchOutcome> {
  const {
    scope,
    run,
    records,
    stored,
    extra: config,
  } = await loadBatch(deps, task, 'build', (scope, run) => systemConfigOf(deps, scope, run));
  const isCancelled = cancellationProbe(deps, scope, run.id, run);
  const limiter = deps.runLimiters.for(scope.orgId, run.id, run.maxConcurrency);
  const system: SystemDeps = {
    ...deps.system,
    chat: deps.chat,
    secrets: (name) => deps.projectSecrets.value(scope, run.projectId, name),
  };

  // Each record is written as it finishes (see writeAsFinished), so a worker cut off mid-batch keeps it.
  const save = writeAsFinished<RunRecord>((finished) => deps.records.insertMany(scope, finished, run.projectId));
  const { results, failure } = await settleAll(records, async (record) => {
    if (isFinished(record)) return record;
    checkDeadline(remainingMs);
    await deps.hooks?.beforeRecord?.('execute', record, attempt);
    // Checked once a slot is free, not before queueing: a cancel must stop records waiting for the budget.
    return limiter.run(async () => {
      if (await isCancelled()) return record;
      checkDeadline(remainingMs);
      const result = await executeRecord(deps, system, config, record);
      // The permit covers the write as well as the call: calls in flight plus answers not yet saved never pass
      // the run's concurrency, so a crash makes at most that many calls again.
      if (isFinished(result)) await save(result);
      return result;
    });
  });
  // The permits go back before the rest is written: other workers can use them meanwhile.
  await limiter.releaseIdle();
  // Finished before it ran (its testcase was deleted) and never written; the others were written as they finished.
  const unwritten = results.filter((r, i) => isFinished(records[i]!) && !stored.has(r.id));
  await deps.records.insertMany(scope, unwritten, run.projectId);
  if (failure) throw failure;
  const fresh = results.filter((r, i) => isFinished(r) && (!isFinished(records[i]!) || !stored.has(r.id)));

  const finished = results.filter(isFinished);
  const errored = finished.filter((r) => r.status === 'errored').length;
  await deps.runs.addCounters(
    scope,
    run.id,
    {
      executed: finished.length,
      erroredRecords: errored,
      invalidRecords: finished.filter(isInvalidTestcaseRecord).length,
      firstRecordError: finished.find((r) => r.status === 'errored')?.error ?? undefined,
    },
    executionCountKey(task.batch),
  );
  return { completed: finished.length - errored, errored, skipped: records.length - fresh.length };
}

/** The key a batch's execution totals are counted under, once, by the executor or by MarkBatchErrored. */
export const executionCountKey = (batch: number) => `execution:${batch}`;

async function systemConfigOf(deps: PipelineDeps, scope: Scope, run: Run): Promise<SystemConfig | null> {
  if (!run.systemVersionId) return null;
  return deps.caches.systemConfig(scope, run.systemVersionId);
}

/** One record through the system, with retries that honour Retry-After; the result is a finished record. */
export async function executeRecord(
  deps: PipelineDeps,
  system: SystemDeps,
  config: SystemConfig | null,
  record: RunRecord,
): Promise<RunRecord> {
  if (!config) return { ...record, status: 'errored', error: 'the run has no system version to execute' };
  try {
    const result = await withRetries(() => runSystem(config, record.inputs, system), deps.retry);
    // A reply we could not store (or send back through the API) is the system's fault, named on its record.
    const problem = systemResultProblem(result);
    if (problem) return { ...record, status: 'errored', error: problem };
    const { outputs, latencyMs, usage, costUsd } = result;
    return { ...record, outputs, latencyMs, usage, costUsd, status: 'completed', error: null };
  } catch (error) {
    return { ...record, status: 'errored', error: errorMessage(error) };
  }
}
