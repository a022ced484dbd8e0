import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TraceRepository, TraceWindowQuery } from '../../core/monitors/ports.js';
import { sampleHash } from '../../core/monitors/sampling.js';
import type { Scope } from '../../core/ports.js';
import type { Trace } from '../../core/schemas/trace.js';
import { entityOf, type Item, type Table } from './table.js';

/**
 * Traces are spread over 16 index partitions by their sampling hash: writes of a busy project are not capped by
 * one partition, and a tick with sampleRate r reads only the ceil(16 r) partitions that can hold sampled traces.
 */
export const TRACE_SHARDS = 16;
/** The trace's JSON documents: stored as text, and moved to S3 when the item would be too large. */
const TRACE_DOCUMENTS = ['inputs', 'outputs', 'expected', 'metadata'];

export const traceKeys = {
  trace: (projectId: string, traceId: string, spanId: string) => ({
    pk: `TRACE#${projectId}#${traceId}`,
    sk: `SPAN#${spanId}`,
  }),
  shard: (projectId: string, shard: number) => `PROJECT#${projectId}#TRACES#${shard.toString(16)}`,
  /** Timestamp first: a window is one BETWEEN; ids sort below "~", which bounds a timestamp from above. */
  sortKey: (t: Pick<Trace, 'timestamp' | 'traceId' | 'spanId'>) => `${t.timestamp}#${t.traceId}#${t.spanId}`,
};

const shardOf = (traceId: string) => Math.min(TRACE_SHARDS - 1, Math.floor(sampleHash(traceId) * TRACE_SHARDS));

export class DynamoTraceRepository implements TraceRepository {
  constructor(private readonly table: Table) {
    table.storeAsJson('trace', TRACE_DOCUMENTS);
  }

  async putMany(scope: Scope, traces: Trace[]) {
    // BatchWriteItem refuses two puts of one key in a request: the last posted copy wins, as a later put would.
    const byKey = new Map<string, Item>();
    for (const trace of traces) {
      const key = traceKeys.trace(trace.projectId, trace.traceId, trace.spanId);
      byKey.set(`${key.pk}|${key.sk}`, {
        ...key,
        gsi1pk: traceKeys.shard(trace.projectId, shardOf(trace.traceId)),
        gsi1sk: traceKeys.sortKey(trace),
        type: 'trace',
        orgId: scope.orgId,
        ...trace,
      });
    }
    await this.table.batchPut([...byKey.values()], TRACE_DOCUMENTS);
  }

  async listWindow(scope: Scope, projectId: string, query: TraceWindowQuery) {
    const shards = Math.min(TRACE_SHARDS, Math.ceil(query.sampleRate * TRACE_SHARDS));
    const low = `${query.start}#~`;
    let high = `${query.end}#~`;
    let taken: Trace[] = [];
    let truncated = false;
    const order = (a: Trace, b: Trace) => (traceKeys.sortKey(a) < traceKeys.sortKey(b) ? -1 : 1);
    for (let shard = 0; shard < shards; shard++) {
      let startKey: Item | undefined;
      do {
        const out = await this.table.client.send(
          new QueryCommand({
            TableName: this.table.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :low AND :high',
            ExpressionAttributeValues: { ':pk': traceKeys.shard(projectId, shard), ':low': low, ':high': high },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) {
          if (item.orgId !== scope.orgId || sampleHash(String(item.traceId)) >= query.sampleRate) continue;
          const trace = await this.hydrate(item);
          if (query.accept(trace)) taken.push(trace);
        }
        startKey = out.LastEvaluatedKey;
        if (taken.length > query.limit) {
          // Keep the earliest `limit`; later shards need not read past the last one kept.
          taken = taken.sort(order).slice(0, query.limit);
          truncated = true;
          high = traceKeys.sortKey(taken.at(-1)!);
          startKey = undefined;
        }
      } while (startKey);
    }
    return { traces: taken.sort(order), truncated };
  }

  /** Index items hold every attribute, but fields moved to S3 are fetched through the base item. */
  private async hydrate(item: Item): Promise<Trace> {
    const full = typeof item.overflowKey === 'string' ? await this.table.get(String(item.pk), String(item.sk)) : null;
    return entityOf<Trace>(full ?? this.table.decode(item));
  }
}
