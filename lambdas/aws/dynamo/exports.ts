import type { ExportRepository } from '../../core/exports/ports.js';
import type { Scope } from '../../core/ports.js';
import type { ExportProgress, ExportRecord, ExportStatus } from '../../core/schemas/export.js';
import { getOwned } from './projects.js';
import { entityOf, isConditionFailure, type Table } from './table.js';

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

  async update(scope: Scope, id: string, progress: ExportProgress, onlyIf?: ExportStatus[]) {
    const fields = Object.entries(progress).filter(([, value]) => value !== undefined);
    if (fields.length === 0) return true;
    const names: Record<string, string> = { '#org': 'orgId' };
    const values: Record<string, unknown> = { ':org': scope.orgId };
    const sets = fields.map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      return `#f${i} = :f${i}`;
    });
    let condition = 'attribute_exists(pk) AND #org = :org';
    if (onlyIf?.length) {
      names['#status'] = 'status';
      onlyIf.forEach((status, i) => {
        values[`:s${i}`] = status;
      });
      condition += ` AND #status IN (${onlyIf.map((_, i) => `:s${i}`).join(', ')})`;
    }
    try {
      await this.table.update({ ...exportKey(id), expression: `SET ${sets.join(', ')}`, names, values, condition });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
