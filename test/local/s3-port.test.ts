import { readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulators } from '../../local/emulators.js';
import { exportAndWait } from '../support/exports.js';
import { apiClient, startTestStack, tempDataDir } from '../support/stack.js';

const dataDir = tempDataDir('verdict-s3-port-');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const s3Port = (stack: { core: { emulators: { endpoints: { s3?: string } } } }) =>
  Number(new URL(stack.core.emulators.endpoints.s3!).port);

/** Holds a 127.0.0.1 port, as another program would. */
async function occupy(port: number) {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the local S3 emulator port', () => {
  it('stays the same across a restart, so an export link made before it still downloads', async () => {
    const first = await startTestStack({ dataDir, pipeline: false, monitors: false });
    const api = apiClient(first.url, first.apiKey);
    const project = (await api.post('/projects', { name: 'links' })).body;
    const run = (await api.post(`/projects/${project.id}/runs`, { metricIds: [] })).body;
    await api.post(`/runs/${run.id}/records`, { outputs: { response: 'still here' } });
    const link = (await exportAndWait(api, `/runs/${run.id}/exports`)).settled.body.url as string;
    const before = await (await fetch(link)).text();
    expect(before).toContain('still here');
    const port = s3Port(first);
    await first.stop();

    const second = await startTestStack({ dataDir, pipeline: false, monitors: false });
    try {
      const after = await fetch(link);
      expect(after.status).toBe(200);
      expect(await after.text()).toBe(before);
      expect(s3Port(second)).toBe(port);
      expect(readFileSync(join(dataDir, 's3-port'), 'utf8').trim()).toBe(String(port));
    } finally {
      await second.stop();
    }
  });

  it('says in one line when the saved port is taken, and moves to a free one it saves', async () => {
    const saved = Number(readFileSync(join(dataDir, 's3-port'), 'utf8'));
    const squatter = await occupy(saved);
    const lines: string[] = [];
    try {
      const stack = await startTestStack({ dataDir, pipeline: false, monitors: false, log: (l) => lines.push(l) });
      const port = s3Port(stack);
      await stack.stop();
      expect(port).not.toBe(saved);
      expect(readFileSync(join(dataDir, 's3-port'), 'utf8').trim()).toBe(String(port));
      const warning = lines.filter((l) => l.includes(String(saved)));
      expect(warning).toHaveLength(1);
      expect(warning[0]).toMatch(/^S3 emulator: port \d+ \(saved in .*\) is taken; using a new one/);
      expect(warning[0]).not.toContain('\n');
    } finally {
      await squatter.close();
    }
  });

  it('refuses a chosen port (VERDICT_S3_PORT) that is taken, naming it', async () => {
    const other = tempDataDir('verdict-s3-chosen-');
    const squatter = await occupy(0);
    try {
      await expect(startEmulators(other, { s3Port: squatter.port })).rejects.toThrow(
        `the S3 emulator's port ${squatter.port} (VERDICT_S3_PORT) is in use`,
      );
    } finally {
      await squatter.close();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
