import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ExportSpool, SpoolFile } from '../core/exports/ports.js';

/**
 * Export spools as files under the temp dir (Lambda's /tmp, sized by the exporter's ephemeral storage). One
 * directory per spool, mode 0700 as mkdtemp makes it: records hold tenants' data.
 */
export class FileExportSpool implements ExportSpool {
  constructor(private readonly root = tmpdir()) {}

  async open(): Promise<SpoolFile> {
    const dir = await mkdtemp(join(this.root, 'verdict-export-'));
    const path = join(dir, 'records.ndjson');
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    await once(out, 'open');
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      out.end();
      await once(out, 'close');
    };
    return {
      async append(lines) {
        if (lines.length === 0) return;
        if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
      },
      async *read(batch) {
        await close();
        const lines = createInterface({
          input: createReadStream(path, { highWaterMark: 1 << 20 }),
          crlfDelay: Infinity,
        });
        let chunk: string[] = [];
        for await (const line of lines) {
          chunk.push(line);
          if (chunk.length >= batch) {
            yield chunk;
            chunk = [];
          }
        }
        if (chunk.length) yield chunk;
      },
      async write(text) {
        if (text && !out.write(text)) await once(out, 'drain');
      },
      async *text() {
        await close();
        for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
          yield chunk as string;
        }
      },
      async discard() {
        await close().catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
