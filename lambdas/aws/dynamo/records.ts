import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { itemsWithinBytes, type PageRequest } from '../../core/pagination.js';
import type { Paged, RecordRepository, Scope, ScoreRepository } from '../../core/ports.js';
import type { RecordWithScores, RunRecord, Score } from '../../core/schemas/record.js';
import { keys } from './keys.js';
import { entityOf, type Item, isConditionFailure, type Table } from './table.js';

/** The record's JSON documents: stored as text, and moved to S3 when the item would be too large. */
export const RECORD_DOCUMENTS = ['inputs', 'expected', 'outputs'];
/** A score's value keeps whatever extra fields its writer gave it, so it is a document too. */
const SCORE_DOCUMENTS = ['score'];

/** Records and their scores share the run's gsi1 partition, so one Query returns a page with scores inline. */
export class DynamoRecordRepository implements RecordRepository {
  constructor(private readonly table: Table) {
    table.storeAsJson('record', RECORD_DOCUMENTS);
    table.storeAsJson('score', SCORE_DOCUMENTS);
  }

  toItem(scope: Scope, record: RunRecord, projectId: string): Item {
    return {
      ...keys.record(record.id),
      gsi1pk: keys.recordsOf(record.runId),
      gsi1sk: record.id,
      gsi2pk: keys.recordsOfProject(projectId),
      gsi2sk: record.id,
      type: 'record',
      orgId: scope.orgId,
      projectId,
      ...record,
    };
  }

  /** Creates a record once: a repeated create of the same id is a no-op that returns false. */
  async insert(scope: Scope, record: RunRecord, projectId: string): Promise<boolean> {
    return this.table.putIfAbsent(this.toItem(scope, record, projectId), RECORD_DOCUMENTS);
  }

  /** Batch write of finished records (executor, MarkBatchErrored); ids are positional, so a repeat overwrites. */
  async insertMany(scope: Scope, records: RunRecord[], projectId: string) {
    await this.table.batchPut(
      records.map((r) => this.toItem(scope, r, projectId)),
      RECORD_DOCUMENTS,
    );
  }

  async replace(scope: Scope, record: RunRecord, projectId: string) {
    await this.table.put(this.toItem(scope, record, projectId), { largeFields: RECORD_DOCUMENTS });
  }

  /** Every record id of a run, in order (PrepareRun of a rescore builds its batches from these). */
  async listIdsByRun(scope: Scope, runId: string): Promise<string[]> {
    const items = await this.table.queryAll({
      index: 'gsi1',
      partition: keys.recordsOf(runId),
      attributes: ['id', 'orgId', 'type'],
    });
    return items.filter((i) => i.type === 'record' && i.orgId === scope.orgId).map((i) => String(i.id));
  }

  async get(scope: Scope, id: string): Promise<RecordWithScores | null> {
    const { items } = await this.table.query({ partition: keys.record(id).pk, limit: 1000 });
    const own = items.find((i) => i.sk === '#');
    if (!own || own.orgId !== scope.orgId) return null;
    return group(items)[0] ?? null;
  }

  async getMany(scope: Scope, ids: string[]): Promise<RunRecord[]> {
    const items = await this.table.batchGet(ids.map((id) => keys.record(id)));
    return items.filter((i) => i.orgId === scope.orgId).map((i) => toRecord(i));
  }

  async listByRun(
    scope: Scope,
    runId: string,
    page: PageRequest,
    metricsPerRecord: number,
  ): Promise<Paged<RecordWithScores>> {
    const collected: Item[] = [];
    let after = page.after;
    for (;;) {
      const { items, hasMore } = await this.table.query({
        index: 'gsi1',
        partition: keys.recordsOf(runId),
        after,
        limit: (page.limit + 1) * (metricsPerRecord + 1),
      });
      collected.push(...items.filter((i) => i.orgId === scope.orgId));
      const records = group(collected);
      // A page is complete once a record beyond it has started (so its last record has all its scores).
      if (records.length > page.limit) {
        const full = records.slice(0, page.limit);
        const pageRecords = full.slice(0, itemsWithinBytes(full, page.maxBytes));
        return { items: pageRecords, last: keys.afterRecord(pageRecords.at(-1)!.id) };
      }
      if (!hasMore || items.length === 0) {
        const fitting = itemsWithinBytes(records, page.maxBytes);
        if (fitting < records.length) {
          const pageRecords = records.slice(0, fitting);
          return { items: pageRecords, last: keys.afterRecord(pageRecords.at(-1)!.id) };
        }
        return { items: records, last: null };
      }
      after = String(items.at(-1)!.gsi1sk);
    }
  }

  /**
   * A page of the run's records read from the end of its list: the `page.limit` records before `page.after`
   * (exclusive; from the last record when absent), in ascending order. `last` is where the next page ends (the
   * page's first record), or null once the list's start is reached. Descending, a record's scores come before it,
   * so a record is whole once its own item is read.
   */
  async listByRunFromEnd(
    scope: Scope,
    runId: string,
    page: PageRequest,
    metricsPerRecord: number,
  ): Promise<Paged<RecordWithScores>> {
    const collected: Item[] = [];
    let after = page.after;
    let whole = 0;
    for (;;) {
      const { items, hasMore } = await this.table.query({
        index: 'gsi1',
        partition: keys.recordsOf(runId),
        after,
        descending: true,
        limit: page.limit * (metricsPerRecord + 1) + metricsPerRecord,
      });
      for (const item of items) {
        if (item.orgId !== scope.orgId) continue;
        collected.push(item);
        if (item.type === 'record' && ++whole === page.limit) {
          const records = group(collected.reverse());
          return { items: records, last: records.length ? records[0]!.id : null };
        }
      }
      if (!hasMore || items.length === 0) return { items: group(collected.reverse()), last: null };
      after = String(items.at(-1)!.gsi1sk);
    }
  }

  /** A link to the record's fields stored in S3 (inputs, expected, outputs as one JSON object), if they are. */
  async largeFieldsLink(scope: Scope, id: string, expiresInSeconds: number, now: Date) {
    const key = keys.record(id);
    const found = await this.table.largeFieldsLink(key.pk, key.sk, expiresInSeconds, now);
    if (!found || found.orgId !== scope.orgId) return null;
    return found.link;
  }

  async delete(scope: Scope, id: string) {
    const { items } = await this.table.query({ partition: keys.record(id).pk, limit: 1000 });
    const own = items.find((i) => i.sk === '#');
    if (!own || own.orgId !== scope.orgId) return false;
    for (const item of items) await this.table.delete(String(item.pk), String(item.sk));
    return true;
  }
}

function toRecord(item: Item): RunRecord {
  const { projectId: _p, ...record } = entityOf<RunRecord & { projectId?: string }>(item);
  // Records without a testcase have no testcaseId key at all (items written before stored null).
  if (record.testcaseId === null) delete record.testcaseId;
  return record;
}

/** Turns a sorted run of record and score items into records with their scores. */
function group(items: Item[]): RecordWithScores[] {
  const out: RecordWithScores[] = [];
  const byId = new Map<string, RecordWithScores>();
  for (const item of items) {
    if (item.type === 'record') {
      const record = { ...toRecord(item), scores: [] as Score[] };
      byId.set(record.id, record);
      out.push(record);
    } else if (item.type === 'score') {
      const { generation: _g, ...score } = entityOf<Score & { generation?: number }>(item);
      byId.get(String(item.recordId))?.scores.push(score);
    }
  }
  return out;
}

/**
 * A score item: keyed under its record, and in the run's gsi1 partition right after the record so a page of
 * records brings its scores. `generation` is the scoring pass that wrote it (absent for human scores).
 */
function scoreItem(scope: Scope, runId: string, score: Score, generation?: number): Item {
  return {
    ...keys.score(score.recordId, score.metricConfigId),
    gsi1pk: keys.recordsOf(runId),
    gsi1sk: keys.scoreSortKey(score.recordId, score.metricConfigId),
    type: 'score',
    orgId: scope.orgId,
    ...score,
    ...(generation === undefined ? {} : { generation }),
  };
}

export class DynamoScoreRepository implements ScoreRepository {
  constructor(private readonly table: Table) {
    table.storeAsJson('score', SCORE_DOCUMENTS);
  }

  async upsert(scope: Scope, runId: string, score: Score) {
    const out = await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: this.table.encode(scoreItem(scope, runId, score)),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const previous = out.Attributes ? entityOf<Score>(this.table.decode(out.Attributes)) : null;
    return { created: !out.Attributes, previous };
  }

  /** Keys `recordId/metricVersionId` of the scores this pass already wrote, so retries skip their LLM calls. */
  async writtenInPass(scope: Scope, recordIds: string[], metricVersionIds: string[], generation: number) {
    const wanted = recordIds.flatMap((r) => metricVersionIds.map((v) => keys.score(r, v)));
    const items = await this.table.batchGet(wanted);
    const written = new Map<string, Score>();
    for (const item of items) {
      if (item.orgId !== scope.orgId || (item.generation ?? 0) !== generation) continue;
      const { generation: _g, ...score } = entityOf<Score & { generation?: number }>(item);
      written.set(`${score.recordId}/${score.metricConfigId}`, score);
    }
    return written;
  }

  async putMany(scope: Scope, runId: string, scores: Score[], generation: number) {
    await this.table.batchPut(scores.map((score) => scoreItem(scope, runId, score, generation)));
  }

  /**
   * Writes an automatic score once per scoring pass: it replaces a score from an earlier pass (a rescore) but
   * not one from this pass, so a redelivered batch cannot double count. False means it was already there.
   */
  async insert(scope: Scope, runId: string, score: Score, generation = 0): Promise<boolean> {
    try {
      await this.table.put(scoreItem(scope, runId, score, generation), {
        condition: 'attribute_not_exists(pk) OR generation < :g',
        values: { ':g': generation },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
