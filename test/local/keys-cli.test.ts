import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, startTestStack, tempDataDir } from '../support/stack.js';

const run = promisify(execFile);
const dataDir = tempDataDir('verdict-keys-');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const keys = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'local/keys-cli.ts', ...args], {
    env: { ...process.env, VERDICT_DATA_DIR: dataDir },
  });

describe('the keys command', () => {
  it('creates a key the API accepts, and revokes it', async () => {
    const created = await keys('create', '--name', 'ci');
    const secret = /secret: (vk_\S+)/.exec(created.stdout)?.[1];
    const keyId = /key id: (\S+)/.exec(created.stdout)?.[1];
    expect(secret).toBeTruthy();
    expect((await keys('list')).stdout).toContain(keyId);
    expect((await keys('list')).stdout).not.toContain(secret);

    let stack = await startTestStack({ dataDir });
    expect((await apiClient(stack.url, secret).get('/projects')).status).toBe(200);
    await stack.stop();

    expect((await keys('revoke', keyId!)).stdout).toContain('revoked');
    stack = await startTestStack({ dataDir });
    try {
      expect((await apiClient(stack.url, secret).get('/projects')).status).toBe(401);
    } finally {
      await stack.stop();
    }
  });
});
