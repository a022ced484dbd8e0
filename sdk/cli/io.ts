import { VerdictClient } from '../client.js';
import type { ProgressStream } from './progress.js';

export interface CliIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A mistake in the command line: exit code 2 with the message and a pointer to the help. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Options every command that talks to the API accepts. */
export const API_OPTIONS = {
  'api-url': { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export function clientFrom(values: { 'api-url'?: string; 'api-key'?: string }, io: CliIO): VerdictClient {
  const apiKey = values['api-key'] ?? io.env.VERDICT_API_KEY;
  if (!apiKey) throw new CliUsageError('no API key: set VERDICT_API_KEY (or pass --api-key)');
  return new VerdictClient({ baseURL: values['api-url'] ?? io.env.VERDICT_API_URL, apiKey, env: io.env });
}

export function requireOption<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw new CliUsageError(`${flag} is required`);
  return value;
}

/** Parses a number flag, naming the flag when it is not a number in range. */
export function numberOption(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new CliUsageError(`${flag} must be a number from ${min} to ${max}, not "${value}"`);
  }
  return n;
}

export const print = (stream: ProgressStream, text: string) => stream.write(text.endsWith('\n') ? text : `${text}\n`);
