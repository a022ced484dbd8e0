import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const importsOf = (source: string) =>
  [...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2]!,
  );

const coreDir = join(root, 'lambdas', 'core');
const FORBIDDEN_PACKAGES = /^(@aws-sdk\/|hono$|hono\/|@hono\/)/;

/** Relative imports must stay inside lambdas/core; packages must not be the AWS SDK or Hono. */
function isForbidden(file: string, spec: string) {
  if (spec.startsWith('.')) return !resolve(dirname(file), spec).startsWith(coreDir + sep);
  return FORBIDDEN_PACKAGES.test(spec);
}

describe('import rules', () => {
  const coreFiles = sourceFiles(coreDir);

  it('finds the core sources', () => {
    expect(coreFiles.length).toBeGreaterThan(10);
  });

  it.each(coreFiles.map((f) => [relative(root, f), f]))(
    '%s imports no AWS SDK, no Hono and no adapter',
    (_name, file) => {
      expect(importsOf(readFileSync(file, 'utf8')).filter((spec) => isForbidden(file, spec))).toEqual([]);
    },
  );

  it('flags adapters, the AWS SDK and Hono (the rule itself can fail)', () => {
    const file = join(coreDir, 'services', 'runs.ts');
    expect(isForbidden(file, '../../aws/dynamo/table.js')).toBe(true);
    expect(isForbidden(file, '../../../local/stack.js')).toBe(true);
    expect(isForbidden(file, '@aws-sdk/client-s3')).toBe(true);
    expect(isForbidden(file, 'hono/factory')).toBe(true);
    expect(isForbidden(file, '../ids.js')).toBe(false);
    expect(isForbidden(file, 'zod')).toBe(false);
  });
});
