import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};

/**
 * Packages whose declared engines leave out Node 20 though we run them on it, each with why we keep it. Every
 * entry is exercised on Node 20 by the named tests; `npm ci` still prints its EBADENGINE warning.
 */
const KNOWN_ON_NODE_20: Record<string, string> = {
  // The only version on the registry; its code needs nothing past Node 20 (test/workflow/*, test/pipeline/*).
  'aws-local-stepfunctions': '3.0.0',
};

describe('package.json engines and the lockfile agree', () => {
  const lowest = semver.minVersion(manifest.engines.node)!.version;

  it(`installs nothing that refuses the lowest Node we declare (${manifest.engines.node}) but the known ones`, () => {
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path.startsWith('node_modules/') || path.includes('/node_modules/'))
      .flatMap(([path, pkg]) => {
        const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
        if (!range || semver.satisfies(lowest, range, { includePrerelease: true })) return [];
        const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
        return [`${name}@${pkg.version} wants node ${range}`];
      })
      .filter((line) => {
        const [name, version] = line.split(' ')[0]!.split(/@(?=[^@]*$)/);
        return KNOWN_ON_NODE_20[name!] !== version;
      });
    expect(refusing).toEqual([]);
  });

  it('runs on the Node this process is', () => {
    expect(semver.satisfies(process.version, manifest.engines.node)).toBe(true);
  });
});
