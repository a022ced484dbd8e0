import type { PageRequest } from '../../core/pagination.js';
import type { Paged, ProjectRepository, Scope } from '../../core/ports.js';
import type { Project } from '../../core/schemas/project.js';
import { keys } from './keys.js';
import { entityOf, type Item, type Table } from './table.js';

/** Reads an item by key and returns it only if it belongs to the caller's organization. */
export async function getOwned(table: Table, scope: Scope, key: { pk: string; sk: string }): Promise<Item | null> {
  const item = await table.get(key.pk, key.sk);
  return item && item.orgId === scope.orgId ? item : null;
}

/**
 * One page of a parent's children from gsi1, in id order. Children carry their organization too, so a caller
 * that skipped the parent check still sees nothing foreign.
 */
export async function listChildren<T>(
  table: Table,
  scope: Scope,
  partition: string,
  page: PageRequest,
): Promise<Paged<T>> {
  const { items, hasMore } = await table.query({ index: 'gsi1', partition, after: page.after, limit: page.limit });
  const last = items.at(-1);
  const owned = items.filter((i) => i.orgId === scope.orgId);
  return { items: owned.map((i) => entityOf<T>(i)), last: hasMore && last ? String(last.gsi1sk) : null };
}

export class DynamoProjectRepository implements ProjectRepository {
  constructor(private readonly table: Table) {}

  async create(scope: Scope, project: Project) {
    await this.table.put({
      ...keys.project(project.id),
      gsi1pk: keys.projectsOf(scope.orgId),
      gsi1sk: project.id,
      type: 'project',
      orgId: scope.orgId,
      ...project,
    });
    return project;
  }

  async get(scope: Scope, id: string) {
    const item = await getOwned(this.table, scope, keys.project(id));
    return item ? entityOf<Project>(item) : null;
  }

  list(scope: Scope, page: PageRequest) {
    return listChildren<Project>(this.table, scope, keys.projectsOf(scope.orgId), page);
  }
}
