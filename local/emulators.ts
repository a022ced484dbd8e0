import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type AwsClients, type AwsEndpoints, createAwsClients } from '../lambdas/aws/clients.js';
import { deadLetterQueueName, QUEUE_DEFINITIONS, type QueueRole } from '../lambdas/aws/queue-definitions.js';
import { createTableInput } from '../lambdas/aws/table-definition.js';
import {
  DataDirInUseError,
  type EmulatorAddress,
  EmulatorStartError,
  emulatorCredentials,
  readRunningEmulators,
  removeRunningEmulators,
  savedS3Port,
  saveS3Port,
  writeRunningEmulators,
} from './emulator-files.js';
// The servers themselves (fauxqs, s3rver, the dynalite thread) are imported only by a process that starts them:
// a command that connects to a running stack's emulators (openDataDirEmulators) starts quicker without them.
import type { EmulatorServer, Signing } from './emulator-servers.js';

export { DataDirInUseError, type EmulatorAddress, EmulatorStartError } from './emulator-files.js';

export const LOCAL_TABLE = 'verdict';
export const LOCAL_BUCKET = 'verdict-data';
const LOCAL_REGION = 'us-east-1';

export interface Emulators {
  endpoints: AwsEndpoints;
  clients: AwsClients;
  queueUrls: Record<QueueRole, string>;
  /** Where each emulator listens, when this process runs them. */
  listening?: Record<'dynamodb' | 's3' | 'sqs', AddressInfo>;
  health(): Promise<Record<string, 'ok' | string>>;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** A fixed port for S3 (VERDICT_S3_PORT); otherwise the one saved in the data dir, or a free one saved there. */
  s3Port?: number;
  /** Where a warning goes (a saved S3 port that is taken); stderr by default. */
  log?: (line: string) => void;
}

const inUse = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EADDRINUSE';

/**
 * S3 on a stable port, because presigned export links name it: a link made before a restart keeps working until it
 * expires. An operator-chosen port that is taken is an error; a saved one that is taken gives way to a new one.
 */
async function startS3(dataDir: string, signing: Signing, options: EmulatorOptions) {
  const { startS3rver } = await import('./emulator-servers.js');
  const directory = join(dataDir, 's3');
  if (options.s3Port !== undefined) {
    try {
      return await startS3rver(directory, options.s3Port, signing);
    } catch (error) {
      if (inUse(error))
        throw new EmulatorStartError(`the S3 emulator's port ${options.s3Port} (VERDICT_S3_PORT) is in use`);
      throw error;
    }
  }
  const saved = savedS3Port(dataDir);
  if (saved !== undefined) {
    try {
      return await startS3rver(directory, saved, signing);
    } catch (error) {
      if (!inUse(error)) throw error;
      (options.log ?? console.warn)(
        `S3 emulator: port ${saved} (saved in ${dataDir}) is taken; using a new one, so export links made before this start no longer open`,
      );
    }
  }
  const server = await startS3rver(directory, 0, signing);
  saveS3Port(dataDir, server.address.port);
  return server;
}

/**
 * DynamoDB (dynalite, LevelDB files), S3 (s3rver, plain files) and SQS (fauxqs, in memory) on 127.0.0.1 only, each
 * refusing any request not signed with this data dir's credentials, with the table, bucket and queues created from
 * the same definitions CDK uses. While they run, the data dir announces them (see `openDataDirEmulators`).
 */
export async function startEmulators(dataDir: string, options: EmulatorOptions = {}): Promise<Emulators> {
  mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
  mkdirSync(join(dataDir, 's3'), { recursive: true });
  const signing = { credentials: emulatorCredentials(dataDir), region: LOCAL_REGION };
  const { startDynaliteThread, startFauxqs } = await import('./emulator-servers.js');

  const started: EmulatorServer[] = [];
  const stopServers = async () => {
    for (const server of started.reverse()) await server.stop();
  };
  let dynamo: EmulatorServer;
  let s3: EmulatorServer;
  let sqs: EmulatorServer;
  try {
    dynamo = await startDynaliteThread(join(dataDir, 'dynamodb'), signing);
    started.push(dynamo);
    s3 = await startS3(dataDir, signing, options);
    started.push(s3);
    sqs = await startFauxqs(signing);
    started.push(sqs);
  } catch (error) {
    await stopServers();
    throw error;
  }

  const url = (server: EmulatorServer) => `http://${server.address.address}:${server.address.port}`;
  const endpoints: AwsEndpoints = {
    region: LOCAL_REGION,
    dynamodb: url(dynamo),
    s3: url(s3),
    sqs: url(sqs),
    credentials: signing.credentials,
  };
  // Filled in below as the queues are created, before the emulators are handed out.
  const queueUrls = {} as Record<QueueRole, string>;
  const connected = connectEmulators({ endpoints, queueUrls });
  try {
    await createResources(connected.clients, queueUrls);
    writeRunningEmulators(dataDir, { endpoints, queueUrls });
  } catch (error) {
    await connected.stop();
    await stopServers();
    throw error;
  }

  return {
    ...connected,
    listening: { dynamodb: dynamo.address, s3: s3.address, sqs: sqs.address },
    async stop() {
      removeRunningEmulators(dataDir);
      await connected.stop();
      await stopServers();
    },
  };
}

async function createResources(clients: AwsClients, queueUrls: Record<QueueRole, string>) {
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
}

/**
 * Emulators another process started and owns (see bench/emulators-process.ts): a benchmark can then measure the
 * API's process alone, as a Lambda would be, without dynalite and s3rver sharing its memory and CPU. The address
 * carries the credentials they accept.
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

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The emulators of a data dir for a short command (the keys commands): those of the process that runs them on it
 * (`npm start`), when it has announced them and they answer, else emulators of our own. LevelDB allows one process
 * per data dir, so a dir held by a process that does not answer is a `DataDirInUseError` with one clear line.
 */
export async function openDataDirEmulators(dataDir: string, options: EmulatorOptions = {}): Promise<Emulators> {
  const running = readRunningEmulators(dataDir);
  let silent: string | undefined;
  if (running && isAlive(running.pid)) {
    const connected = connectEmulators(running);
    try {
      await connected.clients.dynamo.send(new DescribeTableCommand({ TableName: LOCAL_TABLE }), {
        abortSignal: AbortSignal.timeout(5_000),
      });
      return connected;
    } catch (error) {
      await connected.stop();
      silent = `process ${running.pid} runs its emulators there, but they do not answer (${messageOf(error)})`;
    }
  }
  try {
    return await startEmulators(dataDir, options);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    throw new DataDirInUseError(
      `the data in ${dataDir} is in use by another process: ${silent ?? 'it has not announced its emulators (is `npm start` still starting?)'}`,
    );
  }
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
