import type { BatchManifestRepository, CountedPhase } from '../../core/ports.js';
import { isConditionFailure, type Table } from './table.js';

const key = (runId: string, batch: number) => ({ pk: `RUN#${runId}`, sk: `BATCH#${String(batch).padStart(5, '0')}` });

/**
 * Batch manifests live in the run's own partition: `RUN#id` / `BATCH#n`, one small item per batch. The item
 * also records which phases of the batch were already added to the run's counters (see `claim`).
 */
export class DynamoBatchManifestRepository implements BatchManifestRepository {
  constructor(private readonly table: Table) {}

  async put(runId: string, batch: number, recordIds: string[]) {
    // An update, not a put: a resumed run rewrites its manifests and must keep their counted marks.
    await this.table.update({
      ...key(runId, batch),
      expression: 'SET recordIds = :ids, #type = :type',
      names: { '#type': 'type' },
      values: { ':ids': recordIds, ':type': 'batch' },
    });
  }

  async get(runId: string, batch: number) {
    const item = await this.table.get(key(runId, batch).pk, key(runId, batch).sk);
    return item ? (item.recordIds as string[]) : null;
  }

  async claim(runId: string, batch: number, phase: CountedPhase, generation: number) {
    const attribute = phase === 'execution' ? 'countedExecution' : 'countedScores';
    try {
      await this.table.update({
        ...key(runId, batch),
        expression: 'SET #counted = :g',
        condition: 'attribute_exists(pk) AND (attribute_not_exists(#counted) OR #counted < :g)',
        names: { '#counted': attribute },
        values: { ':g': generation },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
