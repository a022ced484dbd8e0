import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsEndpoints } from '../lambdas/aws/clients.js';
import type { QueueRole } from '../lambdas/aws/queue-definitions.js';

/** What the emulators of a data dir keep in it, besides the data. */
const CREDENTIALS_FILE = 'emulator-credentials.json';
const S3_PORT_FILE = 's3-port';
const RUNNING_FILE = 'emulators.json';

/** A reason the emulators cannot start that the operator fixes (a port or a data dir taken): worth one line. */
export class EmulatorStartError extends Error {
  override name = 'EmulatorStartError';
}

/** A data dir that another process holds: a clear line for the operator instead of a LevelDB stack trace. */
export class DataDirInUseError extends EmulatorStartError {
  override name = 'DataDirInUseError';
}

export interface EmulatorCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Where another process's emulators listen and how to sign for them: what `connectEmulators` needs. */
export interface EmulatorAddress {
  endpoints: AwsEndpoints;
  queueUrls: Record<QueueRole, string>;
}

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/**
 * The access key the emulators of this data dir accept, generated on first start (mode 0600): a process that cannot
 * read the data dir cannot sign a request to them. `wx` makes a concurrent first start keep one of the two.
 */
export function emulatorCredentials(dataDir: string): EmulatorCredentials {
  const path = join(dataDir, CREDENTIALS_FILE);
  const existing = readText(path);
  if (existing !== undefined) return JSON.parse(existing) as EmulatorCredentials;
  const credentials = {
    accessKeyId: `VERDICT${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  try {
    writeFileSync(path, `${JSON.stringify(credentials)}\n`, { mode: 0o600, flag: 'wx' });
    return credentials;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return emulatorCredentials(dataDir);
    throw error;
  }
}

/** The S3 emulator's port from the previous start, so presigned links outlive a restart. */
export function savedS3Port(dataDir: string): number | undefined {
  const port = Number(readText(join(dataDir, S3_PORT_FILE))?.trim());
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

export function saveS3Port(dataDir: string, port: number) {
  writeFileSync(join(dataDir, S3_PORT_FILE), `${port}\n`);
}

/** A process's emulators, as written to the data dir while it runs them. */
export interface RunningEmulators extends EmulatorAddress {
  pid: number;
}

/**
 * Announces the emulators a process runs on this data dir (with their credentials, hence 0600), so a command that
 * needs the data while they hold it (the keys commands) connects to them instead of opening LevelDB a second time.
 * Written through a rename, so a reader never sees half a file.
 */
export function writeRunningEmulators(dataDir: string, address: EmulatorAddress) {
  const path = join(dataDir, RUNNING_FILE);
  const running: RunningEmulators = { pid: process.pid, ...address };
  writeFileSync(`${path}.${process.pid}`, `${JSON.stringify(running)}\n`, { mode: 0o600 });
  renameSync(`${path}.${process.pid}`, path);
}

export function readRunningEmulators(dataDir: string): RunningEmulators | undefined {
  const text = readText(join(dataDir, RUNNING_FILE));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RunningEmulators;
  } catch {
    return undefined;
  }
}

/** Removes the announcement if it is still this process's. */
export function removeRunningEmulators(dataDir: string) {
  if (readRunningEmulators(dataDir)?.pid === process.pid) rmSync(join(dataDir, RUNNING_FILE), { force: true });
}
