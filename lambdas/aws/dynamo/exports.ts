import type { ExportRepository } from '../../core/exports/ports.js';
import type { Scope } from '../../core/ports.js';
import type { ExportRecord } from '../../core/schemas/export.js';
import { getOwned } from './projects.js';
import { entityOf, type Table } from './table.js';

/** Export items: `EXPORT#<id>` / `#`. The file itself lives in S3 under `exports/`, deleted by a lifecycle rule. */
const exportKey = (id: string) => ({ pk: `EXPORT#${id}`, sk: '#' });

export class DynamoExportRepository implements ExportRepository {
  constructor(private readonly table: Table) {}

  async put(scope: Scope, record: ExportRecord) {
    await this.table.put({ ...exportKey(record.id), type: 'export', orgId: scope.orgId, ...record });
  }

  async get(scope: Scope, id: string) {
    const item = await getOwned(this.table, scope, exportKey(id));
    return item ? entityOf<ExportRecord>(item) : null;
  }
}
