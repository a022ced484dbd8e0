import type { PageRequest } from '../../core/pagination.js';
import type { Paged, Scope } from '../../core/ports.js';
import type { ProjectSecret } from '../../core/schemas/secret.js';
import type { ProjectSecretReader, ProjectSecretRepository, SecretValueStore } from '../../core/secrets/ports.js';
import { keys } from './keys.js';
import type { Item, Table } from './table.js';

const info = (item: Item): ProjectSecret => ({
  name: String(item.name),
  createdAt: String(item.createdAt),
  updatedAt: String(item.updatedAt),
});

/**
 * One item per secret name in the project's own partition (`PROJECTSECRETS#<projectId>` / name), so listing is
 * one Query and the existence check at create time one GetItem; the value lives in a SecretValueStore (Secrets
 * Manager in AWS, a 0600 file locally) and never in the table.
 */
export class DynamoProjectSecretRepository implements ProjectSecretRepository, ProjectSecretReader {
  constructor(
    private readonly table: Table,
    private readonly values: SecretValueStore,
  ) {}

  async put(scope: Scope, projectId: string, name: string, value: string, now: string) {
    const ref = { orgId: scope.orgId, projectId, name };
    // The value first: an item without a value would be a registered secret the executor cannot read.
    await this.values.put(ref, value);
    const key = keys.projectSecret(projectId, name);
    const stored = await this.table.update({
      ...key,
      expression:
        'SET #type = :type, orgId = :org, projectId = :project, #name = :name, updatedAt = :now, createdAt = if_not_exists(createdAt, :now)',
      names: { '#type': 'type', '#name': 'name' },
      values: { ':type': 'projectSecret', ':org': scope.orgId, ':project': projectId, ':name': name, ':now': now },
      // Project ids are unique across organizations; the condition is a second fence, not the first.
      condition: 'attribute_not_exists(pk) OR orgId = :org',
      returnNew: true,
    });
    return info(stored ?? { name, createdAt: now, updatedAt: now });
  }

  async get(scope: Scope, projectId: string, name: string) {
    const key = keys.projectSecret(projectId, name);
    const item = await this.table.get(key.pk, key.sk);
    return item && item.orgId === scope.orgId ? info(item) : null;
  }

  async list(scope: Scope, projectId: string, page: PageRequest): Promise<Paged<ProjectSecret>> {
    const { items, hasMore } = await this.table.query({
      partition: keys.projectSecretsOf(projectId),
      after: page.after,
      limit: page.limit,
    });
    const last = items.at(-1);
    return {
      items: items.filter((item) => item.orgId === scope.orgId).map(info),
      last: hasMore && last ? String(last.sk) : null,
    };
  }

  async delete(scope: Scope, projectId: string, name: string) {
    if (!(await this.get(scope, projectId, name))) return false;
    // The value first: runs read values straight from the store, so none may outlive its registration.
    await this.values.delete({ orgId: scope.orgId, projectId, name });
    const key = keys.projectSecret(projectId, name);
    await this.table.delete(key.pk, key.sk);
    return true;
  }

  /** The value store is keyed by organization and project, so a run can only ever name its own. */
  value(scope: Scope, projectId: string, name: string) {
    return this.values.get({ orgId: scope.orgId, projectId, name });
  }
}
