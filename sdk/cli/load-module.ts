import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SystemFunction } from '../run-and-evaluate.js';
import { CliUsageError } from './io.js';

/**
 * Imports the team's system from a module (TypeScript works: the `verdict` bin registers tsx) and returns the
 * named export, which must be a function `(inputs, systemVersion) => outputs`.
 */
export async function loadSystem(file: string, exportName: string, cwd: string): Promise<SystemFunction> {
  const url = pathToFileURL(resolve(cwd, file)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new CliUsageError(`could not import --module ${file}: ${error instanceof Error ? error.message : error}`);
  }
  // A TypeScript file outside a `"type": "module"` package loads as CommonJS: its exports sit under `default`.
  const commonJs = (typeof mod.default === 'object' && mod.default !== null ? mod.default : {}) as Record<
    string,
    unknown
  >;
  const exports = { ...commonJs, ...mod };
  const system = typeof exports[exportName] === 'function' ? exports[exportName] : commonJs[exportName];
  if (typeof system !== 'function') {
    const names = Object.keys(exports).filter((k) => typeof exports[k] === 'function');
    throw new CliUsageError(
      `--module ${file} has no function export "${exportName}"` +
        (names.length ? `; its function exports are: ${names.join(', ')} (pick one with --export)` : ''),
    );
  }
  return system as SystemFunction;
}
