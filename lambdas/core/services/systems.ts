import { createHash } from 'node:crypto';
import { type CoreDeps, requireProject } from '../deps.js';
import { notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { Scope } from '../ports.js';
import type { CreateSystemVersion, System, SystemConfig, UpsertSystem } from '../schemas/system.js';
import { checkSystemConfig, type SystemConfigDeps } from './system-config-check.js';

/** JSON with sorted keys, so two configs that differ only in key order hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const configHash = (config: SystemConfig) => createHash('sha256').update(canonicalJson(config)).digest('hex');

/** POST /projects/{id}/systems: create by name, or return (and update the description of) the existing one. */
export async function upsertSystem(
  deps: CoreDeps & SystemConfigDeps,
  scope: Scope,
  projectId: string,
  input: UpsertSystem,
) {
  await requireProject(deps, scope, projectId);
  if (input.config) await checkSystemConfig(deps, scope, projectId, input.config);
  const draft: System = {
    id: newId(),
    projectId,
    name: input.name,
    description: input.description,
    productionVersion: null,
    versions: [],
  };
  const { system, created } = await deps.systems.upsertByName(scope, draft);
  let current = system;
  if (!created && input.description && input.description !== system.description) {
    current = (await deps.systems.update(scope, system.id, { description: input.description })) ?? system;
  }
  if (input.config) {
    // Read again: the version's default name counts the versions the system has now.
    await storeVersion(deps, scope, (await deps.systems.get(scope, current.id)) ?? current, { config: input.config });
    current = (await deps.systems.get(scope, current.id)) ?? current;
  }
  return { system: current, created };
}

/**
 * Versions are immutable and content-addressed: the same config returns the version that already has it, renamed
 * when the request names it (Scorecard's upsert).
 */
export async function addSystemVersion(
  deps: CoreDeps & SystemConfigDeps,
  scope: Scope,
  systemId: string,
  input: CreateSystemVersion,
) {
  const system = await deps.systems.get(scope, systemId);
  if (!system) throw notFound('system', systemId);
  await checkSystemConfig(deps, scope, system.projectId, input.config);
  return storeVersion(deps, scope, system, input);
}

async function storeVersion(deps: CoreDeps, scope: Scope, system: System, input: CreateSystemVersion) {
  const systemId = system.id;
  const version = {
    id: newId(),
    systemId,
    name: input.name ?? `v${system.versions.length + 1}`,
    config: input.config,
  };
  const added = await deps.systems.addVersion(scope, version, configHash(input.config));
  if (added.created || !input.name || input.name === added.version.name) return added;
  const renamed = await deps.systems.renameVersion(scope, added.version.id, input.name);
  return { version: renamed ?? added.version, created: false };
}
