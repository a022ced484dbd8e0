import type { BatchManifestRepository } from '../../core/ports.js';
import type { Table } from './table.js';

/** Batch manifests live in the run's own partition: `RUN#id` / `BATCH#n`, one small item per batch. */
export class DynamoBatchManifestRepository implements BatchManifestRepository {
  constructor(private readonly table: Table) {}

  async put(runId: string, batch: number, recordIds: string[]) {
    await this.table.put({
      pk: `RUN#${runId}`,
      sk: `BATCH#${String(batch).padStart(5, '0')}`,
      type: 'batch',
      recordIds,
    });
  }

  async get(runId: string, batch: number) {
    const item = await this.table.get(`RUN#${runId}`, `BATCH#${String(batch).padStart(5, '0')}`);
    return item ? (item.recordIds as string[]) : null;
  }
}
