import { NonRetryableError } from '../errors.js';
import { positionalId } from '../ids.js';
import type { Scope } from '../ports.js';
import type { RunRecord } from '../schemas/record.js';
import type { Run } from '../schemas/run.js';
import { FINAL_RUN_STATUSES } from '../schemas/run.js';
import { nowIso } from '../services/deps.js';
import type { PipelineDeps } from './deps.js';

export const MAX_BATCHES = 1000;
export const MIN_BATCH_SIZE = 25;
export const MAX_MAP_CONCURRENCY = 40;

export interface PrepareRunInput {
  runId: string;
  orgId: string;
  mode: 'execute' | 'rescore';
}

export interface PrepareRunOutput extends PrepareRunInput {
  skipExecution: boolean;
  maxConcurrency: number;
  batches: Array<{ runId: string; orgId: string; batch: number; skipExecution: boolean }>;
}

/** Batches of at least 25 records and never more than 1,000 of them (Step Functions' history limit). */
export const batchSizeFor = (records: number) => Math.max(MIN_BATCH_SIZE, Math.ceil(records / MAX_BATCHES));

/**
 * Enough batches in flight (records ≈ 8× the run's concurrency budget, the best setting in bench/pipeline) to
 * keep the budget busy through both phases, within the inline Map's cap. The budget itself is enforced by the
 * workers' per-run limiter.
 */
export const mapConcurrencyFor = (maxConcurrency: number, batchSize: number) =>
  Math.min(MAX_MAP_CONCURRENCY, Math.max(2, Math.ceil((8 * maxConcurrency) / batchSize) + 1));

/**
 * The first Lambda of the state machine. Execute mode writes one pending record per testcase and trial (ids
 * are positional, so a repeat after a crash rewrites the same items) unless they were already written;
 * rescore mode batches the run's existing records. Either way it writes one manifest item per batch.
 */
export async function prepareRun(deps: PipelineDeps, input: PrepareRunInput): Promise<PrepareRunOutput> {
  const scope: Scope = { orgId: input.orgId };
  const run = await deps.runs.get(scope, input.runId);
  if (!run) throw new NonRetryableError(`run ${input.runId} does not exist`);
  const skipExecution = input.mode === 'rescore';
  if (run.status === 'cancelled') return { ...input, skipExecution, maxConcurrency: 1, batches: [] };

  const recordIds = skipExecution
    ? await deps.records.listIdsByRun(scope, run.id)
    : await writePendingRecords(deps, scope, run);
  const size = batchSizeFor(recordIds.length);
  const batches: PrepareRunOutput['batches'] = [];
  for (let start = 0, batch = 0; start < recordIds.length; start += size, batch++) {
    batches.push({ runId: run.id, orgId: scope.orgId, batch, skipExecution });
  }
  // Manifests are independent items: write them ten at a time rather than one round trip after another.
  for (let i = 0; i < batches.length; i += 10) {
    await Promise.all(
      batches
        .slice(i, i + 10)
        .map(({ batch }) => deps.batches.put(run.id, batch, recordIds.slice(batch * size, (batch + 1) * size))),
    );
  }
  await deps.runs.update(scope, run.id, { status: 'running_execution', startedAt: run.startedAt ?? nowIso(deps) });
  return { ...input, skipExecution, maxConcurrency: mapConcurrencyFor(run.maxConcurrency, size), batches };
}

async function writePendingRecords(deps: PipelineDeps, scope: Scope, run: Run): Promise<string[]> {
  if (!run.testsetId) throw new NonRetryableError(`run ${run.id} has no testset to execute`);
  const createdAtMs = Date.parse(run.createdAt);
  // numRecords is set only after every record is written: a non-zero count means a resumed run.
  const alreadyWritten = run.numRecords > 0 && !FINAL_RUN_STATUSES.includes(run.status);
  const ids: string[] = [];
  let pending: RunRecord[] = [];
  let after: string | undefined;
  let position = 0;
  for (;;) {
    const page = await deps.testcases.list(scope, run.testsetId, { limit: 100, after });
    for (const testcase of page.items) {
      for (let trial = 0; trial < run.trials; trial++) {
        const id = positionalId(createdAtMs, position++, run.id.slice(10, 16));
        ids.push(id);
        if (alreadyWritten) continue;
        pending.push({
          id,
          runId: run.id,
          testcaseId: testcase.id,
          inputs: testcase.inputs,
          expected: testcase.expected,
          outputs: {},
          status: 'pending',
          error: null,
          latencyMs: null,
          usage: null,
          costUsd: null,
          trial,
          createdAt: run.createdAt, // the time its positional id encodes
        });
      }
    }
    if (pending.length >= 500 || (!page.last && pending.length > 0)) {
      await deps.records.insertMany(scope, pending, run.projectId);
      pending = [];
    }
    if (!page.last) break;
    after = page.last;
  }
  if (!alreadyWritten) await deps.runs.update(scope, run.id, { numRecords: ids.length });
  return ids;
}
