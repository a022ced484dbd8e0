import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { VerdictApiError } from '../errors.js';
import { API_OPTIONS, type CliIO, CliUsageError, clientFrom, numberOption, print } from './io.js';

/** `verdict export RUN [--out FILE]`: asks the API for a CSV export and downloads it through its presigned URL. */
export async function exportCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...API_OPTIONS, out: { type: 'string' }, 'expires-in': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const runId = positionals[0];
  if (!runId || positionals.length > 1) throw new CliUsageError('usage: verdict export RUN_ID [--out FILE]');
  const client = clientFrom(values, io);
  let exported: Awaited<ReturnType<typeof client.runs.export>>;
  try {
    exported = await client.runs.export(runId, {
      expiresIn: numberOption(values['expires-in'], '--expires-in', 1, 86_400),
    });
  } catch (error) {
    if (error instanceof VerdictApiError && error.status === 404 && /no route/.test(error.message)) {
      throw new CliUsageError('this Verdict API has no POST /runs/{id}/exports yet: update the server');
    }
    throw error;
  }
  // The presigned URL carries its own authorization; sending our API key to S3 would leak it.
  const res = await fetch(exported.url, { signal: AbortSignal.timeout(10 * 60_000) });
  if (!res.ok || !res.body) throw new Error(`downloading the export failed: HTTP ${res.status}`);
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  if (values.out) {
    const file = resolve(io.cwd, values.out);
    await pipeline(body, createWriteStream(file));
    const done = { file, rows: exported.rows, expiresAt: exported.expiresAt, url: exported.url };
    if (values.json) print(io.stdout, JSON.stringify(done, null, 2));
    else print(io.stderr, `wrote ${exported.rows} rows of run ${runId} to ${file}`);
  } else {
    for await (const chunk of body) io.stdout.write(chunk as string);
  }
  return 0;
}
