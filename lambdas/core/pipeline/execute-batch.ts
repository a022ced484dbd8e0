import { withRetries } from '../llm/retry.js';
import type { Scope } from '../ports.js';
import type { RunRecord } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import type { SystemConfig } from '../schemas/system.js';
import { nowIso } from '../services/deps.js';
import { runSystem } from '../systems/index.js';
import type { BatchTask, PipelineDeps } from './deps.js';
import { cancellationProbe, errorMessage, loadBatch } from './load-batch.js';

export interface BatchOutcome {
  completed: number;
  errored: number;
  skipped: number;
}

/**
 * Runs the system on every unfinished record of a batch, concurrently within the run's budget. Faults of the
 * system (timeouts, 5xx, 429 after retries, bad replies) are recorded on the record, never thrown: the batch
 * succeeds and the run goes on. Only infrastructure faults throw, so SQS redelivers the message.
 */
export async function executeBatch(deps: PipelineDeps, task: BatchTask, attempt = 1): Promise<BatchOutcome> {
  const { scope, run, records } = await loadBatch(deps, task);
  const outcome: BatchOutcome = { completed: 0, errored: 0, skipped: 0 };
  const config = await systemConfigOf(deps, scope, run);
  const isCancelled = cancellationProbe(deps, scope, run.id, run);
  const limiter = deps.runLimiters.for(run.id, run.maxConcurrency);

  await Promise.all(
    records.map(async (record) => {
      if (record.status === 'completed' || record.status === 'errored' || (await isCancelled())) {
        outcome.skipped++;
        return;
      }
      await deps.hooks?.beforeRecord?.('execute', record, attempt);
      const finished = await limiter.run(() => executeRecord(deps, config, record));
      if (await deps.records.finishExecution(scope, finished, run.projectId)) {
        const errored = finished.status === 'errored';
        outcome[errored ? 'errored' : 'completed']++;
        await deps.runs.addCounters(scope, run.id, { executed: 1, erroredRecords: errored ? 1 : 0 });
      } else {
        outcome.skipped++;
      }
    }),
  );
  return outcome;
}

async function systemConfigOf(deps: PipelineDeps, scope: Scope, run: Run): Promise<SystemConfig | null> {
  if (!run.systemVersionId) return null;
  return (await deps.systems.getVersion(scope, run.systemVersionId))?.config ?? null;
}

/** One record through the system, with retries that honour Retry-After; the result is a finished record. */
export async function executeRecord(
  deps: PipelineDeps,
  config: SystemConfig | null,
  record: RunRecord,
): Promise<RunRecord> {
  if (!config) return { ...record, status: 'errored', error: 'the run has no system version to execute' };
  try {
    const result = await withRetries(
      () => runSystem(config, record.inputs, { ...deps.system, chat: deps.chat }),
      deps.retry,
    );
    return {
      ...record,
      outputs: result.outputs,
      latencyMs: result.latencyMs,
      usage: result.usage,
      costUsd: result.costUsd,
      status: 'completed',
      error: null,
      createdAt: record.createdAt || nowIso(deps),
    };
  } catch (error) {
    return { ...record, status: 'errored', error: errorMessage(error) };
  }
}
