import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDataDir } from '../support/stack.js';

const dataDir = tempDataDir('verdict-banner-');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts `npm start`'s entry point and collects its output until the banner's last line has been printed. */
function startAndReadBanner(env: Record<string, string | undefined>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: { ...env, PORT: '0', VERDICT_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (/ {2}Outbound .*\n/.test(out)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('exit', () => resolve(out));
  });
}

describe('npm start', () => {
  it('says in its banner that no LLM is configured, and how to add one', async () => {
    const { OPENAI_API_KEY: _key, OPENAI_BASE_URL: _url, VERDICT_ALLOW_PRIVATE_URLS: _private, ...env } = process.env;
    const banner = await startAndReadBanner(env);
    expect(banner).toMatch(/Verdict is running at http:\/\/127\.0\.0\.1:\d+/);
    expect(banner).toContain('LLM        not configured');
    expect(banner).toContain('Set OPENAI_API_KEY (and OPENAI_BASE_URL');
    expect(banner).toContain('Outbound   public URLs only');
  });
});
