import type { GithubConnectionRepository } from '../../core/github/ports.js';
import type { Scope } from '../../core/ports.js';
import type { GithubConnection } from '../../core/schemas/github.js';
import type { SecretValueStore } from '../../core/secrets/ports.js';
import { keys } from './keys.js';
import type { Item, Table } from './table.js';

/**
 * The name the token is stored under in the project's secret store. `@` is not allowed in project secret names
 * (`{{ secrets.NAME }}`), so no template and no PUT /secrets/{name} can reach it, and it is never listed.
 */
export const GITHUB_TOKEN_SECRET = '@github-token';

const connectionOf = (item: Item): GithubConnection => ({
  projectId: String(item.projectId),
  owner: String(item.owner),
  repo: String(item.repo),
  workflow: String(item.workflow),
  ref: String(item.ref),
  tokenSet: true,
  createdAt: String(item.createdAt),
  updatedAt: String(item.updatedAt),
});

/**
 * One item per project (`GITHUB#<projectId>`) with where the workflow lives; the token in the SecretValueStore
 * the project secrets use (Secrets Manager in AWS, the 0600 file locally), never in the table.
 */
export class DynamoGithubConnectionRepository implements GithubConnectionRepository {
  constructor(
    private readonly table: Table,
    private readonly values: SecretValueStore,
  ) {}

  private ref(scope: Scope, projectId: string) {
    return { orgId: scope.orgId, projectId, name: GITHUB_TOKEN_SECRET };
  }

  async put(
    scope: Scope,
    connection: Omit<GithubConnection, 'tokenSet' | 'createdAt' | 'updatedAt'>,
    token: string,
    now: string,
  ) {
    // The token first: a connection without a token could never dispatch.
    await this.values.put(this.ref(scope, connection.projectId), token);
    const stored = await this.table.update({
      ...keys.githubConnection(connection.projectId),
      expression:
        'SET #type = :type, orgId = :org, projectId = :project, #owner = :owner, #repo = :repo, #workflow = :workflow, ' +
        '#ref = :ref, updatedAt = :now, createdAt = if_not_exists(createdAt, :now)',
      names: { '#type': 'type', '#owner': 'owner', '#repo': 'repo', '#workflow': 'workflow', '#ref': 'ref' },
      values: {
        ':type': 'githubConnection',
        ':org': scope.orgId,
        ':project': connection.projectId,
        ':owner': connection.owner,
        ':repo': connection.repo,
        ':workflow': connection.workflow,
        ':ref': connection.ref,
        ':now': now,
      },
      condition: 'attribute_not_exists(pk) OR orgId = :org',
      returnNew: true,
    });
    return connectionOf(stored ?? { ...connection, createdAt: now, updatedAt: now });
  }

  async get(scope: Scope, projectId: string) {
    const key = keys.githubConnection(projectId);
    const item = await this.table.get(key.pk, key.sk);
    return item && item.orgId === scope.orgId ? connectionOf(item) : null;
  }

  async token(scope: Scope, projectId: string) {
    if (!(await this.get(scope, projectId))) return undefined;
    return this.values.get(this.ref(scope, projectId));
  }

  async delete(scope: Scope, projectId: string) {
    if (!(await this.get(scope, projectId))) return false;
    await this.values.delete(this.ref(scope, projectId));
    const key = keys.githubConnection(projectId);
    await this.table.delete(key.pk, key.sk);
    return true;
  }
}
