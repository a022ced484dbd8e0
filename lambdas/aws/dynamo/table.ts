import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BlobStore } from '../../core/ports.js';
import type { GlobalIndexName } from '../table-definition.js';
import type { DocumentClient } from './documents.js';

export type Item = Record<string, unknown>;

const KEY_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'type',
  'orgId',
  'overflowKey',
];

/** DynamoDB caps an item at 400 KB; past this many bytes the large fields of an item move to S3. */
export const OVERFLOW_THRESHOLD_BYTES = 300_000;

const BATCH_WRITES_IN_FLIGHT = 4;

export interface QueryInput {
  index?: GlobalIndexName;
  partition: string;
  /** Exclusive start position on the sort key (ascending: greater than; descending: less than). */
  after?: string;
  beginsWith?: string;
  limit: number;
  descending?: boolean;
  /**
   * Only these attributes of each item, plus the queried sort key (paging needs it) and `type`: listings of
   * ids need not carry bodies. Large fields are not read back from S3 then.
   */
  attributes?: string[];
}

/**
 * A thin layer over one DynamoDB table: key naming conventions, transparent S3 overflow for large fields,
 * JSON documents stored as text, and the retry loop BatchWriteItem needs. Repositories build on it; nothing
 * here knows a domain concept.
 */
export class Table {
  /** Per item type, the fields that hold JSON documents (see `storeAsJson`). */
  private readonly documents = new Map<string, readonly string[]>();

  constructor(
    readonly client: DocumentClient,
    readonly tableName: string,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * Stores these fields of items of this `type` as JSON text (a string attribute) rather than a DynamoDB map,
   * so any number JSON.parse produced comes back as the same number: a map would refuse integers past 2^53
   * and magnitudes outside 1e-130..1e126, and nests at most 32 levels. Nothing may query or filter inside such
   * a field. Items written before (maps) still read back as they were. Each repository declares its own.
   */
  storeAsJson(type: string, fields: readonly string[]) {
    this.documents.set(type, fields);
  }

  /** An item with its document fields as JSON text, ready for DynamoDB. */
  encode(item: Item): Item {
    const fields = this.documents.get(String(item.type));
    if (!fields) return item;
    const out: Item = { ...item };
    for (const field of fields) {
      const value = out[field];
      if (value !== undefined && value !== null && typeof value !== 'string') out[field] = JSON.stringify(value);
    }
    return out;
  }

  /** The fields of a patch of an item of `type` (an update's SET values), documents as JSON text. */
  encodePatch<T extends Item>(type: string, patch: T): T {
    const { type: _type, ...encoded } = this.encode({ ...patch, type });
    return encoded as T;
  }

  /** An item as read from DynamoDB, documents parsed back (old items hold maps, which are left as they are). */
  decode(item: Item): Item {
    const fields = this.documents.get(String(item.type));
    if (!fields) return item;
    let out: Item | null = null;
    for (const field of fields) {
      const value = item[field];
      if (typeof value !== 'string') continue;
      out ??= { ...item };
      out[field] = JSON.parse(value);
    }
    return out ?? item;
  }

  /** An item read by a query of one's own: large fields merged back from S3, documents parsed. */
  fromStored(item: Item): Promise<Item> {
    return this.hydrate(item);
  }

  async get(pk: string, sk: string): Promise<Item | null> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
    );
    return out.Item ? this.hydrate(out.Item) : null;
  }

  /**
   * A GET link to the S3 object that holds an item's large fields (one JSON object, each field under its name),
   * without reading the fields themselves. `link` is null when the item keeps every field in DynamoDB; the whole
   * answer is null when there is no such item.
   */
  async largeFieldsLink(pk: string, sk: string, expiresInSeconds: number, now: Date) {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk, sk },
        ConsistentRead: true,
        ProjectionExpression: 'orgId, overflowKey',
      }),
    );
    if (!out.Item) return null;
    const key = out.Item.overflowKey;
    const link = typeof key === 'string' ? await this.blobs.presign(key, expiresInSeconds, now) : null;
    return { orgId: out.Item.orgId, link };
  }

  /** Writes an item; `largeFields` are moved to S3 when the item would be too big. */
  async put(
    item: Item,
    options: { condition?: string; names?: Record<string, string>; values?: Item; largeFields?: string[] } = {},
  ) {
    const stored = this.encode(await this.spill(item, options.largeFields ?? []));
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: stored,
        ConditionExpression: options.condition,
        ExpressionAttributeNames: options.names,
        ExpressionAttributeValues: options.values,
      }),
    );
  }

  /** Puts an item only if its key is new; returns false when it already existed. */
  async putIfAbsent(item: Item, largeFields: string[] = []): Promise<boolean> {
    try {
      await this.put(item, { condition: 'attribute_not_exists(pk)', largeFields });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async update(input: {
    pk: string;
    sk: string;
    expression: string;
    names?: Record<string, string>;
    values?: Item;
    condition?: string;
    returnNew?: boolean;
  }): Promise<Item | null> {
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: input.pk, sk: input.sk },
        UpdateExpression: input.expression,
        ConditionExpression: input.condition,
        ExpressionAttributeNames: input.names,
        ExpressionAttributeValues: input.values,
        ReturnValues: input.returnNew ? 'ALL_NEW' : 'NONE',
      }),
    );
    return out.Attributes ? this.hydrate(out.Attributes) : null;
  }

  async delete(pk: string, sk: string, condition?: { expression: string; values?: Item }): Promise<Item | null> {
    const out = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk, sk },
        ConditionExpression: condition?.expression,
        ExpressionAttributeValues: condition?.values,
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (typeof out.Attributes?.overflowKey === 'string') await this.blobs.delete(out.Attributes.overflowKey);
    return out.Attributes ?? null;
  }

  /** One page of a partition in sort-key order. Follows DynamoDB's 1 MB pages until `limit` items are read. */
  async query(q: QueryInput): Promise<{ items: Item[]; hasMore: boolean }> {
    const pkName = q.index ? `${q.index}pk` : 'pk';
    const skName = q.index ? `${q.index}sk` : 'sk';
    const conditions = ['#pk = :pk'];
    const values: Item = { ':pk': q.partition };
    const names: Record<string, string> = { '#pk': pkName };
    // `type` too: it says which of the attributes are JSON documents to decode.
    const projection = (q.attributes && [...new Set([...q.attributes, skName, 'type'])])?.map((attribute, i) => {
      names[`#a${i}`] = attribute;
      return `#a${i}`;
    });
    if (q.after !== undefined) {
      conditions.push(q.descending ? '#sk < :after' : '#sk > :after');
      values[':after'] = q.after;
      names['#sk'] = skName;
    } else if (q.beginsWith !== undefined) {
      conditions.push('begins_with(#sk, :prefix)');
      values[':prefix'] = q.beginsWith;
      names['#sk'] = skName;
    }
    const items: Item[] = [];
    let startKey: Item | undefined;
    // Ask for one extra item so hasMore is exact without a second round trip.
    while (items.length <= q.limit) {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: q.index,
          KeyConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ProjectionExpression: projection?.join(', '),
          ScanIndexForward: !q.descending,
          Limit: q.limit + 1 - items.length,
          ExclusiveStartKey: startKey,
          ConsistentRead: q.index ? undefined : true,
        }),
      );
      for (const item of out.Items ?? []) {
        if (q.beginsWith !== undefined && !String(item[skName]).startsWith(q.beginsWith))
          return this.finish(items, q.limit, false);
        items.push(item);
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return this.finish(items, q.limit, items.length > q.limit);
  }

  /** Every item of a partition (or of its `beginsWith` range), 1,000 a query: id listings, active runs. */
  async queryAll(q: Omit<QueryInput, 'after' | 'limit' | 'descending'>): Promise<Item[]> {
    const skName = q.index ? `${q.index}sk` : 'sk';
    const all: Item[] = [];
    let after: string | undefined;
    for (;;) {
      const { items, hasMore } = await this.query({ ...q, after, limit: 1000 });
      all.push(...items);
      if (!hasMore || items.length === 0) return all;
      after = String(items.at(-1)![skName]);
    }
  }

  private async finish(items: Item[], limit: number, hasMore: boolean) {
    const page = items.slice(0, limit);
    return { items: await Promise.all(page.map((i) => this.hydrate(i))), hasMore };
  }

  /** BatchWriteItem in chunks of 25, retrying what DynamoDB leaves unprocessed. */
  async batchPut(items: Item[], largeFields: string[] = []): Promise<void> {
    const stored = await Promise.all(items.map(async (i) => this.encode(await this.spill(i, largeFields))));
    const chunks: Item[][] = [];
    for (let i = 0; i < stored.length; i += 25) chunks.push(stored.slice(i, i + 25));
    // A few chunks in flight at once: big writes (a batch's 150 scores) are bound by round trips, not by size.
    for (let i = 0; i < chunks.length; i += BATCH_WRITES_IN_FLIGHT) {
      await Promise.all(chunks.slice(i, i + BATCH_WRITES_IN_FLIGHT).map((chunk) => this.writeChunk(chunk)));
    }
  }

  private async writeChunk(chunk: Item[]) {
    let requests: Array<{ PutRequest: { Item: Item } }> | undefined = chunk.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests && requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error('BatchWriteItem kept returning unprocessed items');
      if (attempt > 0) await delay(25 * 2 ** attempt);
      const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = out.UnprocessedItems?.[this.tableName] as typeof requests;
    }
  }

  async batchGet(keys: Array<{ pk: string; sk: string }>): Promise<Item[]> {
    const found: Item[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Array<Record<string, unknown>> | undefined = keys.slice(i, i + 100);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await delay(25 * 2 ** attempt);
        const out: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[this.tableName] ?? []));
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return Promise.all(found.map((i) => this.hydrate(i)));
  }

  private async spill(item: Item, largeFields: string[]): Promise<Item> {
    if (largeFields.length === 0 || Buffer.byteLength(JSON.stringify(item)) < OVERFLOW_THRESHOLD_BYTES) return item;
    const overflowKey = `overflow/${encodeURIComponent(String(item.pk))}/${encodeURIComponent(String(item.sk))}.json`;
    const moved: Item = {};
    const kept: Item = { ...item, overflowKey };
    for (const field of largeFields) {
      moved[field] = item[field];
      delete kept[field];
    }
    await this.blobs.put(overflowKey, JSON.stringify(moved), 'application/json');
    return kept;
  }

  /** Fields moved to S3 hold their JSON as it was (numbers and all); fields kept here are decoded. */
  private async hydrate(item: Item): Promise<Item> {
    const decoded = this.decode(item);
    if (typeof item.overflowKey !== 'string') return decoded;
    const body = await this.blobs.get(item.overflowKey);
    if (body === null) throw new Error(`overflow object ${item.overflowKey} is missing`);
    return { ...decoded, ...(JSON.parse(body) as Item) };
  }
}

/** The entity's own fields: key and bookkeeping attributes removed. */
export function entityOf<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.includes(k)) out[k] = v;
  return out as T;
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `#f0 = :v0, #f1 = :v1, …` for the defined fields of a patch (undefined means "leave alone"), adding their
 * placeholders to `names` and `values`. Field names go through placeholders so reserved words (status, name)
 * need no special care.
 */
export function setClauses(
  patch: Record<string, unknown>,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string[] {
  return Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .map(([field, value], i) => {
      names[`#f${i}`] = field;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
}

/** An UpdateExpression from SET clauses and attributes to REMOVE; '' when there is nothing to do. */
export function updateExpression(sets: string[], removes: string[] = []): string {
  return [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
}
