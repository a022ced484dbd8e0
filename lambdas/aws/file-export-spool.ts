import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
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
    /** Bytes of each `write`, in order, so they can be read back last first. */
    const writes: number[] = [];
    let closed = false;
    let appended = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      out.end();
      await once(out, 'close');
    };
    return {
      async append(lines) {
        if (lines.length === 0) return;
        if (writes.length > 0) throw new Error('a spool file holds lines or written text, not both');
        appended = true;
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
        if (!text) return;
        if (appended) throw new Error('a spool file holds lines or written text, not both');
        writes.push(Buffer.byteLength(text));
        if (!out.write(text)) await once(out, 'drain');
      },
      async *text() {
        await close();
        for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
          yield chunk as string;
        }
      },
      async *writesLastFirst() {
        await close();
        const file = await open(path, 'r');
        try {
          let end = writes.reduce((sum, bytes) => sum + bytes, 0);
          for (let i = writes.length - 1; i >= 0; i--) {
            const buffer = Buffer.allocUnsafe(writes[i]!);
            end -= buffer.length;
            for (let read = 0; read < buffer.length; ) {
              const { bytesRead } = await file.read(buffer, read, buffer.length - read, end + read);
              if (bytesRead === 0) throw new Error('export spool file ended early');
              read += bytesRead;
            }
            yield buffer.toString('utf8');
          }
        } finally {
          await file.close();
        }
      },
      async discard() {
        await close().catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
