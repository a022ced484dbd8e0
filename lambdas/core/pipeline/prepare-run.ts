import { nowIso } from '../deps.js';
import { NonRetryableError } from '../errors.js';
import { positionalId } from '../ids.js';
import type { BatchEntry, Scope } from '../ports.js';
import type { Run } from '../schemas/run.js';
import type { WorkflowDeps } from './deps.js';

export const MAX_BATCHES = 1000;
/**
 * Each batch costs a fixed set of round trips per phase (load the run, manifest and records; write; count), so
 * fewer, larger batches leave more of the worker to the calls themselves: 1,000 testcases × 4 calls in
 * bench/pipeline took 5.97-6.09 s in batches of 25, 5.51-5.55 s in 50, 5.46 s in 100 (interleaved runs, one
 * session, by editing this constant). 50 keeps a failed
 * batch (marked errored as a whole) and a redelivery small.
 */
export const MIN_BATCH_SIZE = 50;
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

/** Batches of at least 50 records and never more than 1,000 of them (Step Functions' history limit). */
export const batchSizeFor = (records: number) => Math.max(MIN_BATCH_SIZE, Math.ceil(records / MAX_BATCHES));

/**
 * Enough batches in flight (records ≈ 8× the run's concurrency budget, the best setting in bench/pipeline) to
 * keep the budget busy through both phases, within the inline Map's cap. The budget itself is enforced by the
 * workers' per-run limiter.
 */
export const mapConcurrencyFor = (maxConcurrency: number, batchSize: number) =>
  Math.min(MAX_MAP_CONCURRENCY, Math.max(2, Math.ceil((8 * maxConcurrency) / batchSize) + 1));

/**
 * The first Lambda of the state machine. Execute mode plans one record per testcase and trial (ids are
 * positional, so a repeat after a crash plans the same ones) and writes no records: the executor builds each
 * from its testcase and writes it once, finished. Rescore mode batches the run's existing records. Either way
 * it writes one manifest item per batch.
 */
export async function prepareRun(deps: WorkflowDeps, input: PrepareRunInput): Promise<PrepareRunOutput> {
  const scope: Scope = { orgId: input.orgId };
  const run = await deps.runs.get(scope, input.runId);
  if (!run) throw new NonRetryableError(`run ${input.runId} does not exist`);
  const skipExecution = input.mode === 'rescore';
  if (run.status === 'cancelled') return { ...input, skipExecution, maxConcurrency: 1, batches: [] };

  const entries: BatchEntry[] = skipExecution
    ? (await deps.records.listIdsByRun(scope, run.id)).map((recordId) => ({ recordId }))
    : await planRecords(deps, scope, run);
  const size = batchSizeFor(entries.length);
  const manifests: BatchEntry[][] = [];
  for (let start = 0; start < entries.length; start += size) manifests.push(entries.slice(start, start + size));
  if (run.startedAt === null) {
    // Never started: no batch can have been counted, so the manifests are plain writes in bulk.
    await deps.batches.createAll(run.id, manifests);
  } else {
    // A resumed or rescored run re-plans batches that may be counted: one update per batch keeps the marks,
    // ten at a time rather than one round trip after another.
    for (let i = 0; i < manifests.length; i += 10) {
      await Promise.all(manifests.slice(i, i + 10).map((plan, j) => deps.batches.put(run.id, i + j, plan)));
    }
  }
  const batches = manifests.map((_, batch) => ({ runId: run.id, orgId: scope.orgId, batch, skipExecution }));
  await deps.runs.update(scope, run.id, {
    status: 'running_execution',
    startedAt: run.startedAt ?? nowIso(deps),
    ...(!skipExecution && { numRecords: entries.length }),
  });
  return { ...input, skipExecution, maxConcurrency: mapConcurrencyFor(run.maxConcurrency, size), batches };
}

async function planRecords(deps: WorkflowDeps, scope: Scope, run: Run): Promise<BatchEntry[]> {
  if (!run.testsetId) throw new NonRetryableError(`run ${run.id} has no testset to execute`);
  const createdAtMs = Date.parse(run.createdAt);
  const entries: BatchEntry[] = [];
  for (const testcaseId of await deps.testcases.listIds(scope, run.testsetId)) {
    for (let trial = 0; trial < run.trials; trial++) {
      const recordId = positionalId(createdAtMs, entries.length, run.id.slice(10, 16));
      entries.push({ recordId, testcaseId, trial });
    }
  }
  return entries;
}
