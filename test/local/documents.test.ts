import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_TABLE } from '../../local/emulators.js';
import { emulatorsForFile } from '../support/emulators.js';

// lambdas/aws/dynamo/documents.ts translates the repositories' document commands itself (lib-dynamodb's client
// cannot cache its middleware). Every command it translates, against the emulator: plain values in, plain out.
const emulatorsOf = emulatorsForFile('verdict-documents-');

const TableName = LOCAL_TABLE;
const doc = { pk: 'DOC#1', sk: 'A', n: 1.5, big: 2 ** 40, list: [1, 'two', { three: null }], map: { a: true } };

describe('the document client', () => {
  it('puts, gets, updates, queries, scans and deletes plain items', async () => {
    const documents = emulatorsOf().clients.documents;
    await documents.send(new PutCommand({ TableName, Item: { ...doc, gone: undefined } }));
    const got = await documents.send(new GetCommand({ TableName, Key: { pk: 'DOC#1', sk: 'A' } }));
    expect(got.Item).toEqual(doc);

    const updated = await documents.send(
      new UpdateCommand({
        TableName,
        Key: { pk: 'DOC#1', sk: 'A' },
        UpdateExpression: 'SET n = n + :one, tags = :tags',
        ExpressionAttributeValues: { ':one': 1, ':tags': ['x'] },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({ ...doc, n: 2.5, tags: ['x'] });

    await documents.send(new PutCommand({ TableName, Item: { pk: 'DOC#1', sk: 'B' } }));
    const page = await documents.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DOC#1' },
        Limit: 1,
      }),
    );
    expect(page.Items).toEqual([{ ...doc, n: 2.5, tags: ['x'] }]);
    expect(page.LastEvaluatedKey).toEqual({ pk: 'DOC#1', sk: 'A' });
    const rest = await documents.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DOC#1' },
        ExclusiveStartKey: page.LastEvaluatedKey,
      }),
    );
    expect(rest.Items).toEqual([{ pk: 'DOC#1', sk: 'B' }]);

    const scanned = await documents.send(new ScanCommand({ TableName }));
    expect(scanned.Items?.filter((i) => i.pk === 'DOC#1')).toHaveLength(2);

    const deleted = await documents.send(
      new DeleteCommand({ TableName, Key: { pk: 'DOC#1', sk: 'B' }, ReturnValues: 'ALL_OLD' }),
    );
    expect(deleted.Attributes).toEqual({ pk: 'DOC#1', sk: 'B' });
    expect((await documents.send(new GetCommand({ TableName, Key: { pk: 'DOC#1', sk: 'B' } }))).Item).toBeUndefined();
  });

  it('writes and reads in batches, puts and deletes together', async () => {
    const documents = emulatorsOf().clients.documents;
    const keys = Array.from({ length: 3 }, (_, i) => ({ pk: 'DOC#2', sk: String(i) }));
    await documents.send(
      new BatchWriteCommand({
        RequestItems: { [TableName]: keys.map((k) => ({ PutRequest: { Item: { ...k, v: [k.sk] } } })) },
      }),
    );
    const written = await documents.send(
      new BatchWriteCommand({
        RequestItems: {
          [TableName]: [{ DeleteRequest: { Key: keys[0]! } }, { PutRequest: { Item: { ...keys[1]!, v: 'new' } } }],
        },
      }),
    );
    expect(written.UnprocessedItems).toEqual({});
    const read = await documents.send(
      new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys, ConsistentRead: true } } }),
    );
    const items = read.Responses?.[TableName]?.sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    expect(items).toEqual([
      { ...keys[1], v: 'new' },
      { ...keys[2], v: ['2'] },
    ]);
    expect(read.UnprocessedKeys).toEqual({});
  });

  it('refuses a command it does not translate instead of sending it half translated', async () => {
    const send = emulatorsOf().clients.documents.send as (command: unknown) => Promise<unknown>;
    await expect(
      send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { pk: 'DOC#3', sk: 'A' } } }] })),
    ).rejects.toThrow(/TransactWriteCommand is not translated/);
    await expect(
      emulatorsOf().clients.documents.send(
        new QueryCommand({ TableName, KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: ['x'] } } }),
      ),
    ).rejects.toThrow(/KeyConditions is not translated/);
    const got = await emulatorsOf().clients.documents.send(
      new GetCommand({ TableName, Key: { pk: 'DOC#3', sk: 'A' } }),
    );
    expect(got.Item).toBeUndefined();
  });
});
