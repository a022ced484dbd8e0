import { conflict } from '../../core/errors.js';
import type { PageRequest } from '../../core/pagination.js';
import type { Scope, SystemRepository } from '../../core/ports.js';
import type { System, SystemVersion } from '../../core/schemas/system.js';
import { keys } from './keys.js';
import { getOwned, listChildren } from './projects.js';
import { entityOf, type Item, isConditionFailure, type Table } from './table.js';

type StoredVersion = SystemVersion & { projectId: string };
type StoredSystem = Omit<System, 'productionVersion'> & { productionVersion?: Item | null };

/**
 * A version's config is stored as JSON text, not as a DynamoDB map: a team's free-form config must come back
 * exactly as it was sent, and maps keep neither key order nor every JSON number as written.
 */
function storedVersion(version: SystemVersion): Item {
  const { config, ...rest } = version;
  return { ...rest, configJson: JSON.stringify(config) };
}

/** Reads a stored version (or the copy inline in its system); items written before configJson carry `config`. */
function versionOf<T extends SystemVersion>(item: Item): T {
  const { configJson, ...rest } = item as Item & { configJson?: string };
  return { ...rest, config: typeof configJson === 'string' ? JSON.parse(configJson) : rest.config } as T;
}

/**
 * Uniqueness without transactions: a lock item per (project, name) and per (system, config hash), written with
 * attribute_not_exists before the entity itself, so concurrent upserts converge on one system or version.
 */
export class DynamoSystemRepository implements SystemRepository {
  constructor(private readonly table: Table) {
    table.storeAsJson('systemVersion', ['config']);
  }

  private systemItem(scope: Scope, system: System) {
    // A null productionVersion is left out so addVersion's if_not_exists can fill it.
    const { productionVersion, ...rest } = system;
    return {
      ...(productionVersion ? { productionVersion: storedVersion(productionVersion) } : {}),
      ...keys.system(system.id),
      gsi1pk: keys.systemsOf(system.projectId),
      gsi1sk: system.id,
      type: 'system',
      orgId: scope.orgId,
      ...rest,
    };
  }

  async upsertByName(scope: Scope, system: System) {
    const lock = keys.systemName(system.projectId, system.name);
    const claimed = await this.table.putIfAbsent({ ...lock, orgId: scope.orgId, systemId: system.id });
    if (claimed) {
      await this.table.put(this.systemItem(scope, system));
      return { system, created: true };
    }
    const owner = await getOwned(this.table, scope, lock);
    const existing = owner ? await this.get(scope, String(owner.systemId)) : null;
    if (!existing) throw conflict(`system "${system.name}" is being created by another request; retry`, true);
    return { system: existing, created: false };
  }

  async get(scope: Scope, id: string) {
    const item = await getOwned(this.table, scope, keys.system(id));
    return item ? this.systemOf(scope, entityOf<StoredSystem>(item)) : null;
  }

  async list(scope: Scope, projectId: string, page: PageRequest) {
    const result = await listChildren<StoredSystem>(this.table, scope, keys.systemsOf(projectId), page);
    return { ...result, items: await Promise.all(result.items.map((s) => this.systemOf(scope, s))) };
  }

  /** The production version is kept whole in the system item (Scorecard returns it with its config). */
  private async systemOf(scope: Scope, stored: StoredSystem): Promise<System> {
    const inline = stored.productionVersion;
    let productionVersion: SystemVersion | null = null;
    if (inline && ('configJson' in inline || 'config' in inline)) {
      productionVersion = versionOf<SystemVersion>({ systemId: stored.id, ...inline });
    } else if (inline) {
      // Written before systems kept their production version whole: read it.
      const version = await this.getVersion(scope, String(inline.id));
      if (version) {
        const { projectId: _p, ...rest } = version;
        productionVersion = rest;
      }
    }
    return { ...stored, productionVersion, versions: stored.versions ?? [] };
  }

  async update(scope: Scope, id: string, patch: { name?: string; description?: string; productionVersionId?: string }) {
    const current = await this.get(scope, id);
    if (!current) return null;
    const next: System = { ...current };
    if (patch.description !== undefined) next.description = patch.description;
    if (patch.productionVersionId !== undefined) {
      const version = current.versions.some((v) => v.id === patch.productionVersionId)
        ? await this.getVersion(scope, patch.productionVersionId)
        : null;
      if (!version) return null;
      const { projectId: _p, ...whole } = version;
      next.productionVersion = whole;
    }
    if (patch.name !== undefined && patch.name !== current.name) {
      const claimed = await this.table.putIfAbsent({
        ...keys.systemName(current.projectId, patch.name),
        orgId: scope.orgId,
        systemId: id,
      });
      if (!claimed) throw conflict(`a system named "${patch.name}" already exists in this project`);
      next.name = patch.name;
    }
    await this.table.put(this.systemItem(scope, next));
    if (next.name !== current.name) await this.table.delete(keys.systemName(current.projectId, current.name).pk, '#');
    return next;
  }

  async delete(scope: Scope, id: string) {
    const current = await this.get(scope, id);
    if (!current) return false;
    await this.table.delete(keys.system(id).pk, '#');
    await this.table.delete(keys.systemName(current.projectId, current.name).pk, '#');
    return true;
  }

  async addVersion(scope: Scope, version: SystemVersion, configHash: string) {
    const system = await this.get(scope, version.systemId);
    if (!system) throw conflict('system disappeared while adding a version');
    const lock = keys.systemConfig(version.systemId, configHash);
    const claimed = await this.table.putIfAbsent({ ...lock, orgId: scope.orgId, versionId: version.id });
    if (!claimed) {
      const owner = await getOwned(this.table, scope, lock);
      const existing = owner ? await this.getVersion(scope, String(owner.versionId)) : null;
      if (!existing) throw conflict('an identical version is being created by another request; retry', true);
      const { projectId: _p, ...rest } = existing;
      return { version: rest, created: false };
    }
    await this.table.put({
      ...keys.systemVersion(version.id),
      gsi1pk: `SYSTEM#${version.systemId}#VERSIONS`,
      gsi1sk: version.id,
      type: 'systemVersion',
      orgId: scope.orgId,
      ...storedVersion(version),
      projectId: system.projectId,
    });
    // The system lists its versions inline (Scorecard's shape); the first version becomes production.
    await this.table.update({
      ...keys.system(version.systemId),
      expression:
        'SET versions = list_append(if_not_exists(versions, :empty), :v), productionVersion = if_not_exists(productionVersion, :pv)',
      values: {
        ':empty': [],
        ':v': [{ id: version.id, name: version.name }],
        ':pv': storedVersion(version),
      },
    });
    return { version, created: true };
  }

  async getVersion(scope: Scope, versionId: string) {
    const item = await getOwned(this.table, scope, keys.systemVersion(versionId));
    return item ? versionOf<StoredVersion>(entityOf(item)) : null;
  }

  /** Renames a version everywhere its name is shown: its own item, the system's list and production copy. */
  async renameVersion(scope: Scope, versionId: string, name: string) {
    const version = await this.getVersion(scope, versionId);
    if (!version) return null;
    await this.table.update({
      ...keys.systemVersion(versionId),
      expression: 'SET #name = :name',
      names: { '#name': 'name' },
      values: { ':name': name },
    });
    // Positional updates guarded by the id at that position, re-read if a concurrent write moved things.
    for (let attempt = 0; attempt < 5; attempt++) {
      const system = await this.get(scope, version.systemId);
      const index = system?.versions.findIndex((v) => v.id === versionId) ?? -1;
      if (!system || index < 0) break;
      const production = system.productionVersion?.id === versionId;
      try {
        await this.table.update({
          ...keys.system(system.id),
          expression: `SET versions[${index}].#name = :name${production ? ', productionVersion.#name = :name' : ''}`,
          condition: `versions[${index}].id = :id${production ? ' AND productionVersion.id = :id' : ''}`,
          names: { '#name': 'name' },
          values: { ':name': name, ':id': versionId },
        });
        break;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    const { projectId: _p, ...rest } = version;
    return { ...rest, name };
  }
}
