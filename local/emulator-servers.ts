import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { buildApp } from 'fauxqs';
import S3rver from 's3rver';
import { DataDirInUseError, type EmulatorCredentials } from './emulator-files.js';
import { requireSigV4 } from './sigv4-guard.mjs';

/** Every emulator listens here only: nothing off this machine may reach the stack's storage. */
export const EMULATOR_HOST = '127.0.0.1';

export interface EmulatorServer {
  address: AddressInfo;
  stop(): Promise<void>;
}

export interface Signing {
  credentials: EmulatorCredentials;
  region: string;
}

/** dynalite on a worker thread of this process (LevelDB work is the emulator's biggest CPU cost). */
export async function startDynaliteThread(path: string, signing: Signing): Promise<EmulatorServer> {
  const worker = new Worker(new URL('./dynalite-thread.mjs', import.meta.url), {
    workerData: { path, host: EMULATOR_HOST, ...signing },
  });
  const started = await new Promise<{ address?: AddressInfo; error?: string; locked?: boolean }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (!started.address) {
    await worker.terminate();
    if (started.locked) {
      throw new DataDirInUseError(`the DynamoDB data in ${path} is in use by another process`);
    }
    throw new Error(`the DynamoDB emulator did not start: ${started.error}`);
  }
  return {
    address: started.address,
    async stop() {
      const stopped = new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}

function listen(server: Server, port: number) {
  return new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, EMULATOR_HOST, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

const close = (server: Server) =>
  new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));

/**
 * s3rver (files under `directory`) on `port`, behind the SigV4 check. Its Koa handler is mounted on a server of
 * ours rather than through `run()`, whose server has no 'error' listener: a taken port would crash the process
 * instead of rejecting. With `port` 0 the system picks one.
 */
export async function startS3rver(directory: string, port: number, signing: Signing): Promise<EmulatorServer> {
  // s3rver looks the access key id up in its own (process-wide) registry, which knows only S3RVER.
  const { DUMMY_ACCOUNT } = createRequire(import.meta.url)('s3rver/lib/models/account.js');
  DUMMY_ACCOUNT.createKeyPair(signing.credentials.accessKeyId, signing.credentials.secretAccessKey);
  const s3 = new S3rver({ directory, silent: true });
  const server = requireSigV4(createServer(s3.callback()), { ...signing, service: 's3', uriEscapePath: false });
  const address = await listen(server, port);
  return { address, stop: () => close(server) };
}

/**
 * fauxqs (SQS, in memory) behind the SigV4 check. Built with `buildApp` and listened to here: `startFauxqs` binds
 * 0.0.0.0 whatever it is given (its `host` option only names the host in queue URLs).
 */
export async function startFauxqs(signing: Signing): Promise<EmulatorServer> {
  const app = buildApp({ logger: false, defaultRegion: signing.region });
  requireSigV4(app.server, { ...signing, service: 'sqs' });
  await app.listen({ port: 0, host: EMULATOR_HOST });
  return { address: app.server.address() as AddressInfo, stop: () => app.close() };
}
