import type { BatchEntry, BatchManifestRepository, BatchScoreSummary, CountedPhase } from '../../core/ports.js';
import { isConditionFailure, type Table } from './table.js';

const key = (runId: string, batch: number) => ({ pk: `RUN#${runId}`, sk: `BATCH#${String(batch).padStart(5, '0')}` });
/** An execution plan (each record from a testcase and trial), not a rescore's list of existing records. */
const isPlanned = (entries: BatchEntry[]) => entries.every((e) => e.testcaseId !== undefined);

/**
 * Batch manifests live in the run's own partition: `RUN#id` / `BATCH#n`, one small item per batch. The item
 * also records which phases of the batch were already added to the run's counters (see `claim`).
 */
export class DynamoBatchManifestRepository implements BatchManifestRepository {
  constructor(private readonly table: Table) {}

  /** A run's first plan: nothing can have been counted yet, so the manifests are written in bulk. */
  async createAll(runId: string, batches: BatchEntry[][]) {
    await this.table.batchPut(
      batches.map((entries, batch) => ({
        ...key(runId, batch),
        type: 'batch',
        recordIds: entries.map((e) => e.recordId),
        ...(isPlanned(entries) && {
          testcaseIds: entries.map((e) => e.testcaseId),
          trials: entries.map((e) => e.trial ?? 0),
        }),
      })),
    );
  }

  async put(runId: string, batch: number, entries: BatchEntry[]) {
    const recordIds = entries.map((e) => e.recordId);
    const planned = isPlanned(entries);
    // An update, not a put: a resumed run rewrites its manifests and must keep their counted marks. Parallel
    // lists keep the item small; a rescore's manifest (records only) drops an earlier execution plan.
    await this.table.update({
      ...key(runId, batch),
      expression: planned
        ? 'SET recordIds = :ids, testcaseIds = :testcases, trials = :trials, #type = :type'
        : 'SET recordIds = :ids, #type = :type REMOVE testcaseIds, trials',
      names: { '#type': 'type' },
      values: {
        ':ids': recordIds,
        ':type': 'batch',
        ...(planned && { ':testcases': entries.map((e) => e.testcaseId), ':trials': entries.map((e) => e.trial ?? 0) }),
      },
    });
  }

  async get(runId: string, batch: number): Promise<BatchEntry[] | null> {
    const item = await this.table.get(key(runId, batch).pk, key(runId, batch).sk);
    if (!item) return null;
    const testcaseIds = item.testcaseIds as string[] | undefined;
    const trials = item.trials as number[] | undefined;
    return (item.recordIds as string[]).map((recordId, i) =>
      testcaseIds ? { recordId, testcaseId: testcaseIds[i]!, trial: trials?.[i] ?? 0 } : { recordId },
    );
  }

  async claim(runId: string, batch: number, phase: CountedPhase, generation: number, summary?: BatchScoreSummary) {
    const attribute = phase === 'execution' ? 'countedExecution' : 'countedScores';
    try {
      await this.table.update({
        ...key(runId, batch),
        expression: summary ? 'SET #counted = :g, scoreSummary = :summary' : 'SET #counted = :g',
        condition: 'attribute_exists(pk) AND (attribute_not_exists(#counted) OR #counted < :g)',
        names: { '#counted': attribute },
        values: { ':g': generation, ...(summary && { ':summary': summary }) },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async scoreSummaries(runId: string): Promise<Array<BatchScoreSummary | null>> {
    const items = await this.table.queryAll({
      partition: key(runId, 0).pk,
      beginsWith: 'BATCH#',
      attributes: ['scoreSummary'],
    });
    return items.map((item) => (item.scoreSummary as BatchScoreSummary | undefined) ?? null);
  }
}
