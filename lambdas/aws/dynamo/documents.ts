import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand as QueryItemsCommand,
  ScanCommand as ScanItemsCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DeleteCommand,
  type DeleteCommandOutput,
  GetCommand,
  type GetCommandOutput,
  PutCommand,
  type PutCommandOutput,
  QueryCommand,
  type QueryCommandOutput,
  ScanCommand,
  type ScanCommandOutput,
  UpdateCommand,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

type Item = Record<string, unknown>;
type Wire = Record<string, AttributeValue>;

/** What the repositories send: lib-dynamodb's document commands (plain values in, plain values out). */
export interface DocumentClient {
  send(command: GetCommand): Promise<GetCommandOutput>;
  send(command: PutCommand): Promise<PutCommandOutput>;
  send(command: UpdateCommand): Promise<UpdateCommandOutput>;
  send(command: DeleteCommand): Promise<DeleteCommandOutput>;
  send(command: QueryCommand): Promise<QueryCommandOutput>;
  send(command: ScanCommand): Promise<ScanCommandOutput>;
  send(command: BatchWriteCommand): Promise<BatchWriteCommandOutput>;
  send(command: BatchGetCommand): Promise<BatchGetCommandOutput>;
}

// Undefined attributes are left out (as in a JSON document) rather than refused.
const toWire = (item: Item): Wire => marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true });
const fromWire = (item: Wire): Item => unmarshall(item);

function mapValues<A, B>(record: Record<string, A> | undefined, f: (value: A) => B): Record<string, B> | undefined {
  if (record === undefined) return undefined;
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}

/** The fields of single-item and query inputs and outputs that hold one item, or a key, or named values. */
const ITEM_FIELDS = ['Key', 'Item', 'Attributes', 'ExpressionAttributeValues', 'ExclusiveStartKey', 'LastEvaluatedKey'];
/** Pre-expression parameters: their values would need translating too, and nothing here sends them. */
const LEGACY_FIELDS = ['KeyConditions', 'QueryFilter', 'ScanFilter', 'Expected', 'AttributeUpdates'];

function translated<T extends object>(input: T, translate: (item: never) => Item | Wire): T {
  const out = { ...input } as Record<string, unknown>;
  for (const field of ITEM_FIELDS) if (out[field] !== undefined) out[field] = translate(out[field] as never);
  if (Array.isArray(out.Items)) out.Items = out.Items.map((item) => translate(item as never));
  return out as T;
}

type PlainWriteRequest = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };

const writeRequestToWire = (request: PlainWriteRequest): WriteRequest => ({
  ...(request.PutRequest ? { PutRequest: { Item: toWire(request.PutRequest.Item) } } : {}),
  ...(request.DeleteRequest ? { DeleteRequest: { Key: toWire(request.DeleteRequest.Key) } } : {}),
});
const writeRequestFromWire = (request: WriteRequest): PlainWriteRequest => ({
  ...(request.PutRequest?.Item ? { PutRequest: { Item: fromWire(request.PutRequest.Item) } } : {}),
  ...(request.DeleteRequest?.Key ? { DeleteRequest: { Key: fromWire(request.DeleteRequest.Key) } } : {}),
});

// biome-ignore lint/suspicious/noExplicitAny: each pair is a document command and the plain command it becomes.
type AnyCommand = new (input: any) => any;
/** The document commands that carry single items, keys or named values, and the plain commands they become. */
const SINGLE_ITEM_COMMANDS: Array<[AnyCommand, AnyCommand]> = [
  [GetCommand, GetItemCommand],
  [PutCommand, PutItemCommand],
  [UpdateCommand, UpdateItemCommand],
  [DeleteCommand, DeleteItemCommand],
  [QueryCommand, QueryItemsCommand],
  [ScanCommand, ScanItemsCommand],
];

/**
 * Sends the document commands through a DynamoDB client built with `cacheMiddleware: true`, which resolves
 * its middleware stack once per command class. lib-dynamodb's own client copies and sorts the whole stack on
 * every call and refuses that cache: under bench/peer that was ~3% of the pipeline worker's CPU (a --cpu-prof
 * profile). The values are translated with util-dynamodb's marshall and unmarshall, field by field for the
 * commands we send; any other command, or a pre-expression parameter, is refused rather than sent half
 * translated.
 */
export function documentClient(client: DynamoDBClient): DocumentClient {
  async function send(command: { input: object }): Promise<unknown> {
    for (const [Document, Plain] of SINGLE_ITEM_COMMANDS) {
      if (!(command instanceof Document)) continue;
      const legacy = LEGACY_FIELDS.find((field) => (command.input as Record<string, unknown>)[field] !== undefined);
      if (legacy) throw new Error(`documentClient: ${legacy} is not translated`);
      const out = await client.send(new Plain(translated(command.input, toWire)));
      return translated(out, fromWire);
    }
    if (command instanceof BatchWriteCommand) {
      const { RequestItems, ...rest } = command.input;
      const requests = mapValues(RequestItems, (list) => list.map((r) => writeRequestToWire(r as PlainWriteRequest)));
      const out = await client.send(new BatchWriteItemCommand({ ...rest, RequestItems: requests }));
      return { ...out, UnprocessedItems: mapValues(out.UnprocessedItems, (list) => list.map(writeRequestFromWire)) };
    }
    if (command instanceof BatchGetCommand) {
      const { RequestItems, ...rest } = command.input;
      const requests = mapValues(RequestItems, ({ Keys, ...table }) => ({ ...table, Keys: Keys?.map(toWire) }));
      const out = await client.send(
        new BatchGetItemCommand({
          ...rest,
          RequestItems: requests as ConstructorParameters<typeof BatchGetItemCommand>[0]['RequestItems'],
        }),
      );
      return {
        ...out,
        Responses: mapValues(out.Responses, (items) => items.map(fromWire)),
        UnprocessedKeys: mapValues(out.UnprocessedKeys, ({ Keys, ...table }) => ({
          ...table,
          Keys: Keys?.map(fromWire),
        })),
      };
    }
    throw new Error(`documentClient: ${(command as object).constructor.name} is not translated`);
  }
  return { send } as DocumentClient;
}
