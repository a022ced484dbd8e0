import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../../core/ports.js';
import type { RecordScan, RecordScanRequest, RecordSearchRepository } from '../../core/records/ports.js';
import type { RunRecord, Score } from '../../core/schemas/record.js';
import { keys } from './keys.js';
import { RECORD_DOCUMENTS } from './records.js';
import { entityOf, type Item, type Table } from './table.js';

const SCORE_MARK = '#SCORE#';
const FIELD_ATTRIBUTES = ['id', 'runId', 'orgId', '#type', 'inputs', 'expected', 'outputs', 'overflowKey'];

/**
 * Bounded reads of record lists for the records page and exports: the project's list (gsi2, records only) or a
 * run's (gsi1, records with their score items), with equality filters as a FilterExpression and the time range
 * as a key condition, resumable from any item read (ExclusiveStartKey), so a read budget never loses a place.
 */
export class DynamoRecordSearch implements RecordSearchRepository {
  constructor(private readonly table: Table) {
    table.storeAsJson('record', RECORD_DOCUMENTS);
  }

  async scan(scope: Scope, request: RecordScanRequest): Promise<RecordScan> {
    const index = request.runId ? 'gsi1' : 'gsi2';
    const partition = request.runId ? keys.recordsOf(request.runId) : keys.recordsOfProject(request.projectId);
    const names: Record<string, string> = { '#pk': `${index}pk`, '#sk': `${index}sk`, '#type': 'type' };
    const values: Item = {
      ':pk': partition,
      ':min': request.idMin ?? '0',
      ':max': request.idMax ?? '~',
      ':org': scope.orgId,
      ':record': 'record',
    };
    const filters = ['orgId = :org', '#type = :record'];
    const equal = (attribute: string, value: string | undefined) => {
      if (value === undefined) return;
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      filters.push(`#${attribute} = :${attribute}`);
    };
    equal('runId', request.onlyRunId);
    equal('status', request.status);
    equal('testcaseId', request.testcaseId);
    equal('traceId', request.traceId);

    const items: Item[] = [];
    let scanned = 0;
    let startKey = request.after ? startKeyOf(index, partition, request.after) : undefined;
    while (scanned < request.maxItems) {
      const out: QueryCommandOutput = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.tableName,
          IndexName: index,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :min AND :max',
          FilterExpression: filters.join(' AND '),
          ProjectionExpression: request.fieldsOnly ? FIELD_ATTRIBUTES.join(', ') : undefined,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: request.ascending === true,
          Limit: request.maxItems - scanned,
          ExclusiveStartKey: startKey,
        }),
      );
      scanned += out.ScannedCount ?? 0;
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    // Large fields moved to S3 at write time come back, and documents are parsed, as in the Table's own reads.
    const records = await Promise.all(items.map((item) => this.table.fromStored(item)));
    return { records: records.map(toRecord), scanned, last: startKey ? String(startKey[`${index}sk`]) : null };
  }

  async scores(scope: Scope, pairs: Array<{ recordId: string; metricVersionId: string }>): Promise<Score[]> {
    if (pairs.length === 0) return [];
    const items = await this.table.batchGet(pairs.map((p) => keys.score(p.recordId, p.metricVersionId)));
    return items
      .filter((i) => i.orgId === scope.orgId && i.type === 'score')
      .map((i) => {
        const { generation: _g, ...score } = entityOf<Score & { generation?: number }>(i);
        return score;
      });
  }
}

/** The full key of the item a position names: a record (`<id>`) or, in a run's list, a score (`<id>#SCORE#<v>`). */
function startKeyOf(index: 'gsi1' | 'gsi2', partition: string, position: string): Item {
  const mark = position.indexOf(SCORE_MARK);
  const key =
    mark < 0 ? keys.record(position) : keys.score(position.slice(0, mark), position.slice(mark + SCORE_MARK.length));
  return { ...key, [`${index}pk`]: partition, [`${index}sk`]: position };
}

function toRecord(item: Item): RunRecord {
  const { projectId: _p, ...record } = entityOf<RunRecord & { projectId?: string }>(item);
  // Records without a testcase have no testcaseId key at all (items written before stored null).
  if (record.testcaseId === null) delete record.testcaseId;
  return record;
}
