import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, startTestStack, tempDataDir } from '../support/stack.js';

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});
const newDataDir = () => {
  const dir = tempDataDir('verdict-keys-');
  dataDirs.push(dir);
  return dir;
};

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}
const run = (args: string[], env: Record<string, string> = {}) =>
  new Promise<Outcome>((done) => {
    const started = Date.now();
    execFile(process.execPath, args, { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, ms: Date.now() - started }),
    );
  });
/** `npm run keys -- …` */
const keys = (dataDir: string, ...args: string[]) =>
  run(['--import', 'tsx', 'local/keys-cli.ts', ...args], { VERDICT_DATA_DIR: dataDir });
/** `npx verdict keys … --data-dir DIR`: the same command, through the SDK's CLI */
const verdictKeys = (dataDir: string, ...args: string[]) =>
  run([resolve('sdk/bin/verdict.mjs'), 'keys', ...args, '--data-dir', dataDir]);
/** `npm run keys -- … --data-dir DIR --json` (the flag instead of the environment, JSON instead of text) */
const keysJson = (dataDir: string, ...args: string[]) =>
  run(['--import', 'tsx', 'local/keys-cli.ts', ...args, '--data-dir', dataDir, '--json']);
const secretOf = (out: Outcome) => /secret: (vk_\S+)/.exec(out.stdout)?.[1];

describe('the keys command', () => {
  it('creates a key with no stack running, then lists, creates and revokes keys through a running stack', async () => {
    const dataDir = newDataDir();
    const created = await keys(dataDir, 'create', '--name', 'ci');
    const secret = secretOf(created);
    const keyId = /key id: (\S+)/.exec(created.stdout)?.[1];
    expect(secret, created.stderr).toBeTruthy();

    // While the stack holds the data dir, both commands go through its emulators.
    const stack = await startTestStack({ dataDir, pipeline: false, monitors: false, authCacheMs: 0 });
    try {
      const api = (key?: string) => apiClient(stack.url, key).get('/projects');
      expect((await api(secret)).status).toBe(200);
      const [listed, fromCli] = await Promise.all([
        keys(dataDir, 'list'),
        keysJson(dataDir, 'create', '--name', 'as json'),
      ]);
      expect(listed.stdout, listed.stderr).toContain(keyId);
      expect(listed.stdout).not.toContain(secret);
      expect(fromCli.code, fromCli.stderr).toBe(0);
      const json = JSON.parse(fromCli.stdout);
      expect(json).toMatchObject({ org: 'default', secret: expect.stringMatching(/^vk_/) });
      expect((await api(json.secret)).status).toBe(200);
      const listedJson = JSON.parse((await keysJson(dataDir, 'list')).stdout);
      expect(listedJson.map((k: { keyId: string }) => k.keyId)).toEqual(expect.arrayContaining([keyId, json.keyId]));
      expect(JSON.stringify(listedJson)).not.toContain(json.secret);

      expect((await keys(dataDir, 'revoke', keyId!)).stdout).toContain('revoked');
      expect((await api(secret)).status).toBe(401);
    } finally {
      await stack.stop();
    }
  });

  it('fails at once with one line when the data dir is held by a process whose emulators do not answer', async () => {
    const dataDir = newDataDir();
    const stack = await startTestStack({ dataDir, pipeline: false, monitors: false });
    try {
      // The announcement of a live process (this one) whose emulators went away: LevelDB is still held.
      const announced = join(dataDir, 'emulators.json');
      const running = JSON.parse(readFileSync(announced, 'utf8'));
      running.endpoints.dynamodb = 'http://127.0.0.1:9';
      writeFileSync(announced, JSON.stringify(running));
      for (const out of await Promise.all([keys(dataDir, 'list'), verdictKeys(dataDir, 'list')])) {
        expect(out.code).not.toBe(0);
        const lines = out.stderr.trim().split('\n');
        expect(lines, out.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(
          /in use by another process: process \d+ runs its emulators there, but they do not answer/,
        );
        expect(out.ms).toBeLessThan(40_000);
      }
    } finally {
      await stack.stop();
    }
  });
});
