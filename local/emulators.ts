import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import S3rver from 's3rver';
import { type AwsClients, type AwsEndpoints, createAwsClients } from '../lambdas/aws/clients.js';
import { deadLetterQueueName, QUEUE_DEFINITIONS, type QueueRole } from '../lambdas/aws/queue-definitions.js';
import { createTableInput } from '../lambdas/aws/table-definition.js';

export const LOCAL_TABLE = 'verdict';
export const LOCAL_BUCKET = 'verdict-data';

export interface Emulators {
  endpoints: AwsEndpoints;
  clients: AwsClients;
  queueUrls: Record<QueueRole, string>;
  health(): Promise<Record<string, 'ok' | string>>;
  stop(): Promise<void>;
}

/** dynalite on a worker thread of this process (LevelDB work is the emulator's biggest CPU cost). */
async function startDynaliteThread(path: string) {
  const worker = new Worker(new URL('./dynalite-thread.mjs', import.meta.url), { workerData: { path } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port));
    worker.once('error', reject);
  });
  return {
    port,
    async stop() {
      const stopped = new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}

/**
 * DynamoDB (dynalite, LevelDB files), S3 (s3rver, plain files) and SQS (fauxqs, in memory) on free 127.0.0.1
 * ports, with the table, bucket and queues created from the same definitions CDK uses.
 */
export async function startEmulators(dataDir: string): Promise<Emulators> {
  mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
  mkdirSync(join(dataDir, 's3'), { recursive: true });

  const dynamo = await startDynaliteThread(join(dataDir, 'dynamodb'));
  const dynamoPort = dynamo.port;

  const s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: join(dataDir, 's3'), silent: true });
  const s3Address = (await s3.run()) as AddressInfo;

  const sqs = await startFauxqs({ port: 0, logger: false });

  const endpoints: AwsEndpoints = {
    region: 'us-east-1',
    dynamodb: `http://127.0.0.1:${dynamoPort}`,
    s3: `http://127.0.0.1:${s3Address.port}`,
    sqs: sqs.address,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  // Filled in below as the queues are created, before the emulators are handed out.
  const queueUrls = {} as Record<QueueRole, string>;
  const connected = connectEmulators({ endpoints, queueUrls });
  const { clients } = connected;

  try {
    await clients.dynamo.send(new CreateTableCommand(createTableInput(LOCAL_TABLE)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await clients.s3.send(new CreateBucketCommand({ Bucket: LOCAL_BUCKET })).catch((error: Error) => {
    if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
  });
  for (const role of Object.keys(QUEUE_DEFINITIONS) as QueueRole[]) {
    const def = QUEUE_DEFINITIONS[role];
    const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: deadLetterQueueName(role) }));
    const dlqArn = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: def.name,
        Attributes: {
          VisibilityTimeout: String(def.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
            maxReceiveCount: def.maxReceiveCount,
          }),
        },
      }),
    );
    queueUrls[role] = queue.QueueUrl!;
  }

  return {
    ...connected,
    async stop() {
      await connected.stop();
      await sqs.stop();
      await s3.close();
      await dynamo.stop();
    },
  };
}

/** Where another process's emulators listen: what `connectEmulators` needs (bench/emulators-process.ts prints it). */
export interface EmulatorAddress {
  endpoints: AwsEndpoints;
  queueUrls: Record<QueueRole, string>;
}

/**
 * Emulators another process started and owns (see bench/emulators-process.ts): a benchmark can then measure the
 * API's process alone, as a Lambda would be, without dynalite and s3rver sharing its memory and CPU.
 */
export function connectEmulators({ endpoints, queueUrls }: EmulatorAddress): Emulators {
  const clients = createAwsClients(endpoints);
  return {
    endpoints,
    clients,
    queueUrls,
    health: () => probeEmulators(clients, queueUrls),
    async stop() {
      clients.dynamo.destroy();
      clients.s3.destroy();
      clients.sqs.destroy();
    },
  };
}

async function probeEmulators(clients: AwsClients, queueUrls: Record<QueueRole, string>) {
  const check = async (name: string, probe: () => Promise<unknown>) => {
    try {
      await probe();
      return [name, 'ok'] as const;
    } catch (error) {
      return [name, error instanceof Error ? error.message : String(error)] as const;
    }
  };
  const results = await Promise.all([
    check('dynamodb', () => clients.dynamo.send(new DescribeTableCommand({ TableName: LOCAL_TABLE }))),
    check('s3', () => clients.s3.send(new HeadBucketCommand({ Bucket: LOCAL_BUCKET }))),
    check('sqs', () =>
      clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrls.executor, AttributeNames: ['QueueArn'] })),
    ),
  ]);
  return Object.fromEntries(results) as Record<string, 'ok' | string>;
}
