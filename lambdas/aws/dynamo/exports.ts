import type { ExportRepository } from '../../core/exports/ports.js';
import type { Scope } from '../../core/ports.js';
import type { ExportRecord } from '../../core/schemas/export.js';
import { getOwned } from './projects.js';
import { entityOf, type Table } from './table.js';

/** Export items: `EXPORT#<id>` / `#`. The file itself lives in S3 under `exports/`, deleted by a lifecycle rule. */
const exportKey = (id: string) => ({ pk: `EXPORT#${id}`, sk: '#' });

/** How long an export's file and item are kept; the stack's bucket lifecycle rule uses the same number of days. */
export const DEFAULT_EXPORT_RETENTION_DAYS = 7;

export class DynamoExportRepository implements ExportRepository {
  constructor(
    private readonly table: Table,
    private readonly retentionDays = DEFAULT_EXPORT_RETENTION_DAYS,
  ) {}

  async put(scope: Scope, record: ExportRecord) {
    // The item expires (DynamoDB TTL, epoch seconds) when the lifecycle rule deletes its file.
    const expiresAt = Math.floor(Date.parse(record.createdAt) / 1000) + this.retentionDays * 86_400;
    await this.table.put({ ...exportKey(record.id), type: 'export', orgId: scope.orgId, ...record, expiresAt });
  }

  async get(scope: Scope, id: string) {
    const item = await getOwned(this.table, scope, exportKey(id));
    if (!item) return null;
    const { expiresAt: _expiresAt, ...record } = entityOf<ExportRecord & { expiresAt?: number }>(item);
    return record;
  }
}
