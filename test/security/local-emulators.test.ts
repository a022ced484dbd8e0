import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_BUCKET, LOCAL_TABLE } from '../../local/emulators.js';
import { exportAndWait } from '../support/exports.js';
import { type ApiClient, apiClient, startTestStack } from '../support/stack.js';

/** The fixed key every s3rver accepts, which the stack signed with before each data dir had its own. */
const OLD_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
const exports: Record<'a' | 'b', { url: string; key: string; secret: string }> = {} as never;

beforeAll(async () => {
  stack = await startTestStack({ pipeline: false, monitors: false });
  api = apiClient(stack.url, stack.apiKey);
  for (const name of ['a', 'b'] as const) {
    const project = (await api.post('/projects', { name: `org ${name}` })).body;
    const run = (await api.post(`/projects/${project.id}/runs`, { metricIds: [] })).body;
    const secret = `private answer of ${name} ${project.id}`;
    expect((await api.post(`/runs/${run.id}/records`, { outputs: { response: secret } })).status).toBe(201);
    const created = (await exportAndWait(api, `/runs/${run.id}/exports`)).settled;
    expect(created.body.status).toBe('completed');
    exports[name] = { url: created.body.url, key: `exports/${project.id}/${created.body.id}.csv`, secret };
  }
});
afterAll(() => stack.stop());

const endpoint = (service: 'dynamodb' | 's3' | 'sqs') => stack.core.emulators.endpoints[service]!;
const local = { region: 'us-east-1', maxAttempts: 1 };

describe('the local S3 emulator', () => {
  it('refuses an unsigned listing of the exports, and an unsigned download', async () => {
    const listing = await fetch(`${endpoint('s3')}/${LOCAL_BUCKET}?list-type=2&prefix=exports/`);
    const text = await listing.text();
    expect(listing.status).toBe(403);
    expect(text).not.toContain('exports/');
    expect(text).toContain('<Code>AccessDenied</Code>');

    const download = await fetch(`${endpoint('s3')}/${LOCAL_BUCKET}/${exports.a.key}`);
    expect(download.status).toBe(403);
    expect(await download.text()).not.toContain(exports.a.secret);
  });

  it('serves a presigned export link, and refuses it tampered, pointed at another export, or forged', async () => {
    const real = await fetch(exports.a.url);
    expect(real.status).toBe(200);
    expect(await real.text()).toContain(exports.a.secret);

    const refused = async (url: string) => {
      const res = await fetch(url);
      const text = await res.text();
      expect(text).not.toContain(exports.b.secret);
      expect(text).not.toContain(exports.a.secret);
      return res.status;
    };
    // A's signature on B's file.
    expect(await refused(exports.a.url.replace(exports.a.key, exports.b.key))).toBe(403);
    // A longer life than was signed.
    expect(await refused(exports.a.url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=86400'))).toBe(403);
    // Another signature of the right length.
    expect(await refused(exports.a.url.replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`))).toBe(
      403,
    );
    // A link to B's file signed with the old fixed key.
    const forger = new S3Client({
      ...local,
      endpoint: endpoint('s3'),
      forcePathStyle: true,
      credentials: OLD_CREDENTIALS,
    });
    const forged = await getSignedUrl(forger, new GetObjectCommand({ Bucket: LOCAL_BUCKET, Key: exports.b.key }), {
      expiresIn: 60,
    });
    forger.destroy();
    expect(await refused(forged)).toBe(403);
  });
});

describe('the local DynamoDB emulator', () => {
  it('refuses an unsigned Scan and PutItem', async () => {
    const call = (target: string, body: object) =>
      fetch(endpoint('dynamodb'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${target}` },
        body: JSON.stringify(body),
      });
    const scan = await call('Scan', { TableName: LOCAL_TABLE });
    expect(scan.status).toBe(403);
    expect(await scan.text()).not.toContain('Items');

    const injected = { pk: { S: 'APIKEY#injected' }, sk: { S: '#' }, orgId: { S: 'default' } };
    expect((await call('PutItem', { TableName: LOCAL_TABLE, Item: injected })).status).toBe(403);
    const stored = await stack.core.emulators.clients.dynamo.send(
      new GetItemCommand({ TableName: LOCAL_TABLE, Key: { pk: injected.pk, sk: injected.sk } }),
    );
    expect(stored.Item).toBeUndefined();
  });

  it('refuses a Scan signed with the old fixed key, or with the right key 20 minutes ago', async () => {
    const { credentials } = stack.core.emulators.endpoints;
    for (const client of [
      new DynamoDBClient({ ...local, endpoint: endpoint('dynamodb'), credentials: OLD_CREDENTIALS }),
      new DynamoDBClient({ ...local, endpoint: endpoint('dynamodb'), credentials, systemClockOffset: -20 * 60_000 }),
    ]) {
      const error = await client.send(new ScanCommand({ TableName: LOCAL_TABLE })).then(
        () => undefined,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
      );
      client.destroy();
      expect(error?.$metadata?.httpStatusCode).toBe(403);
    }
  });
});

describe('the local SQS emulator', () => {
  it('refuses ListQueues unsigned or signed with the old fixed key', async () => {
    const unsigned = await fetch(endpoint('sqs'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).not.toContain('verdict-');

    const client = new SQSClient({ ...local, endpoint: endpoint('sqs'), credentials: OLD_CREDENTIALS });
    const error = await client.send(new ListQueuesCommand({})).then(
      () => undefined,
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
    );
    client.destroy();
    expect(error?.$metadata?.httpStatusCode).toBe(403);
  });
});

describe('the local emulators', () => {
  it('listen on 127.0.0.1 only', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    for (const name of ['dynamodb', 's3', 'sqs'] as const) {
      const port = Number(new URL(endpoint(name)).port);
      // From another address of this machine, nobody is listening on that port.
      for (const address of others) {
        const outcome = await new Promise<string>((resolve) => {
          const socket = connect(port, address);
          socket.once('connect', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        });
        expect(outcome, `${name} on ${address}:${port}`).toBe('ECONNREFUSED');
      }
    }
    for (const name of ['dynamodb', 's3', 'sqs'] as const) {
      const port = Number(new URL(endpoint(name)).port);
      expect(stack.core.emulators.listening?.[name], name).toEqual({ address: '127.0.0.1', family: 'IPv4', port });
    }
  });

  it('sign with a key of their own data dir, kept in a file only its owner reads', () => {
    const { credentials } = stack.core.emulators.endpoints;
    expect(credentials?.accessKeyId).not.toBe(OLD_CREDENTIALS.accessKeyId);
    expect(credentials?.secretAccessKey.length).toBeGreaterThanOrEqual(40);
    expect(statSync(join(stack.dataDir, 'emulator-credentials.json')).mode & 0o777).toBe(0o600);
  });
});
