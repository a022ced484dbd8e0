import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileExportSpool } from '../../lambdas/aws/file-export-spool.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'verdict-spool-test-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const collect = async (chunks: AsyncIterable<string>) => {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
};

describe('FileExportSpool', () => {
  it('reads the text of each write back last first, multi-byte characters and large writes whole', async () => {
    // Prepare: pages as the export writes them from a list's end, one with characters of 2–4 bytes.
    const file = await new FileExportSpool(root).open();
    const pages = ['a,1\r\n', 'ü,ß,€,😀\r\n'.repeat(3), 'z'.repeat(3 << 20), ''];

    // Act
    for (const page of pages) await file.write(page);
    const back = await collect(file.writesLastFirst());

    // Assess: an empty write is no page.
    expect(back).toEqual(pages.slice(0, 3).reverse());
    expect((await collect(file.text())).join('')).toBe(pages.join(''));
    await file.discard();
    expect(readdirSync(root)).toEqual([]);
  });

  it('holds lines or written text, not both, so pages read back are never cut', async () => {
    const file = await new FileExportSpool(root).open();
    await file.append(['{"id":1}']);
    await expect(file.write('x')).rejects.toThrow(/not both/);
    await file.discard();
  });
});
