import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { emulatorsForFile } from '../support/emulators.js';
import { waitFor } from '../support/stack.js';

// The embedded dynalite serves table descriptions from memory (local/dynalite-thread.mjs). These tests change a
// table after it has been read and check that every later request sees the change, never the cached old one.
const emulatorsOf = emulatorsForFile('verdict-dynalite-tables-');

const keyedTable = (name: string, key: string) =>
  new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });

/** Table changes finish after their reply, as in DynamoDB: wait until the table is ACTIVE, or gone. */
async function whenTable(name: string, status: 'ACTIVE' | 'GONE') {
  const current = async () => {
    try {
      return (await emulatorsOf().clients.dynamo.send(new DescribeTableCommand({ TableName: name }))).Table
        ?.TableStatus;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return 'GONE';
      throw error;
    }
  };
  await waitFor(async () => ((await current()) === status ? true : undefined), `table ${name} to be ${status}`);
}

describe('table descriptions in the embedded dynalite', () => {
  it('a table deleted and created again with another key is used with its new key', async () => {
    const dynamo = emulatorsOf().clients.dynamo;
    await dynamo.send(keyedTable('recreated', 'pk'));
    await whenTable('recreated', 'ACTIVE');
    await dynamo.send(new PutItemCommand({ TableName: 'recreated', Item: { pk: { S: 'a' }, v: { S: 'old' } } }));
    expect(
      (await dynamo.send(new GetItemCommand({ TableName: 'recreated', Key: { pk: { S: 'a' } } }))).Item?.v,
    ).toEqual({ S: 'old' });

    await dynamo.send(new DeleteTableCommand({ TableName: 'recreated' }));
    await whenTable('recreated', 'GONE');
    await expect(
      dynamo.send(new GetItemCommand({ TableName: 'recreated', Key: { pk: { S: 'a' } } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    await dynamo.send(keyedTable('recreated', 'id'));
    await whenTable('recreated', 'ACTIVE');
    await expect(
      dynamo.send(new PutItemCommand({ TableName: 'recreated', Item: { pk: { S: 'a' } } })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await dynamo.send(new PutItemCommand({ TableName: 'recreated', Item: { id: { S: 'b' }, v: { S: 'new' } } }));
    const item = await dynamo.send(new GetItemCommand({ TableName: 'recreated', Key: { id: { S: 'b' } } }));
    expect(item.Item?.v).toEqual({ S: 'new' });
  });

  it('a capacity changed after the table was read is what later requests describe', async () => {
    const dynamo = emulatorsOf().clients.dynamo;
    await dynamo.send(
      new CreateTableCommand({
        TableName: 'provisioned',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      }),
    );
    await whenTable('provisioned', 'ACTIVE');
    await dynamo.send(new PutItemCommand({ TableName: 'provisioned', Item: { pk: { S: 'a' } } }));
    await dynamo.send(
      new UpdateTableCommand({
        TableName: 'provisioned',
        ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 },
      }),
    );
    await dynamo.send(new PutItemCommand({ TableName: 'provisioned', Item: { pk: { S: 'b' } } }));
    // UpdateTable answers while the table is UPDATING (as DynamoDB does); the new capacity lands with ACTIVE.
    await whenTable('provisioned', 'ACTIVE');
    const described = (await dynamo.send(new DescribeTableCommand({ TableName: 'provisioned' }))).Table!;
    expect(described.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 7, WriteCapacityUnits: 3 });
    await dynamo.send(new PutItemCommand({ TableName: 'provisioned', Item: { pk: { S: 'c' } } }));
  });
});
