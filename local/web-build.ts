import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));
export const WEB_DIST = join(WEB_DIR, 'dist');
const SOURCES = [
  join(WEB_DIR, 'src'),
  join(WEB_DIR, 'index.html'),
  join(WEB_DIR, 'vite.config.ts'),
  fileURLToPath(new URL('../sdk/', import.meta.url)),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const isFresh = () => {
  const index = join(WEB_DIST, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= Math.max(...SOURCES.map(newestMtime));
};

/**
 * Builds web/ into web/dist with Vite unless the build is newer than every source. A lock directory keeps two
 * processes (parallel test files, `npm start` beside a test run) from building into the same folder at once.
 */
export async function ensureWebBuild(log: (line: string) => void = () => {}): Promise<string> {
  if (isFresh()) return WEB_DIST;
  const lock = join(WEB_DIR, '.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process is building; a lock older than two minutes is left over from a crash.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (isFresh()) return WEB_DIST;
    }
  }
  try {
    if (isFresh()) return WEB_DIST;
    log('Building the web app (web/ → web/dist)…');
    const started = Date.now();
    const { build } = await import('vite');
    // A production build whoever calls it: under vitest NODE_ENV is "test", which would make React's dev build.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: join(WEB_DIR, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    log(`Built the web app in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return WEB_DIST;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
