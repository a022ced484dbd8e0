import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PageRequest } from '../../core/pagination.js';
import type { Paged, RunCondition, RunCounters, RunPatch, RunRepository, Scope } from '../../core/ports.js';
import { FINAL_RUN_STATUSES, type Run } from '../../core/schemas/run.js';
import { keys } from './keys.js';
import { getOwned } from './projects.js';
import { entityOf, type Item, isConditionFailure, setClauses, type Table, updateExpression } from './table.js';

type RunProgress = Record<string, { scored: number; errored: number; lastError?: string }>;

/** Stored counters become the API's statusExplanation (scored / errored / total per metric version): facts only. */
function toRun(item: Item): Run {
  const { metricProgress, ...rest } = entityOf<Run & { metricProgress?: RunProgress }>(item);
  const statusExplanation: Run['statusExplanation'] = {};
  for (const versionId of rest.metricVersionIds) {
    const p = metricProgress?.[versionId];
    statusExplanation[versionId] = {
      scored: p?.scored ?? 0,
      errored: p?.errored ?? 0,
      total: rest.numRecords,
      ...(p?.lastError ? { lastError: p.lastError } : {}),
    };
  }
  // The stored status is the phase the run was put in; core's runStatus derives what a client sees.
  return {
    ...rest,
    humanMetricVersionIds: rest.humanMetricVersionIds ?? [],
    generation: rest.generation ?? 0,
    statusExplanation,
  };
}

export class DynamoRunRepository implements RunRepository {
  constructor(private readonly table: Table) {}

  async create(scope: Scope, run: Run) {
    const { statusExplanation: _s, ...stored } = run;
    const metricProgress: RunProgress = {};
    for (const v of run.metricVersionIds) metricProgress[v] = { scored: 0, errored: 0 };
    await this.table.put({
      ...keys.run(run.id),
      gsi1pk: keys.runsOf(run.projectId),
      gsi1sk: run.id,
      gsi2pk: keys.runsBySource(run.projectId, run.source),
      gsi2sk: run.id,
      gsi3pk: keys.activeRuns,
      gsi3sk: run.id,
      type: 'run',
      orgId: scope.orgId,
      ...stored,
      metricProgress,
    });
    return toRun({ ...stored, metricProgress });
  }

  async get(scope: Scope, id: string) {
    const item = await getOwned(this.table, scope, keys.run(id));
    return item ? toRun(item) : null;
  }

  async list(
    scope: Scope,
    projectId: string,
    page: PageRequest,
    filter: { source?: string } = {},
  ): Promise<Paged<Run>> {
    // Newest first, as every run list in the product reads.
    const { items, hasMore } = filter.source
      ? await this.table.query({
          index: 'gsi2',
          partition: keys.runsBySource(projectId, filter.source),
          after: page.after,
          limit: page.limit,
          descending: true,
        })
      : await this.table.query({
          index: 'gsi1',
          partition: keys.runsOf(projectId),
          after: page.after,
          limit: page.limit,
          descending: true,
        });
    const runs = items.filter((i) => i.orgId === scope.orgId).map(toRun);
    return { items: runs, last: hasMore ? (runs.at(-1)?.id ?? null) : null };
  }

  /** Runs not yet in a final state, for resuming after a restart. */
  async listActive(): Promise<Array<{ orgId: string; run: Run }>> {
    const items = await this.table.queryAll({ index: 'gsi3', partition: keys.activeRuns });
    return items.map((item) => ({ orgId: String(item.orgId), run: toRun(item) }));
  }

  async update(scope: Scope, id: string, patch: RunPatch, condition: RunCondition = {}) {
    const names: Record<string, string> = {};
    const values: Item = { ':org': scope.orgId };
    const sets = setClauses(patch, names, values);
    if (patch.metricVersionIds) {
      // New metrics (rescore) need their progress counters before anything ADDs to them.
      patch.metricVersionIds.forEach((v, i) => {
        names[`#m${i}`] = v;
        values[`:zero${i}`] = { scored: 0, errored: 0 };
        sets.push(`metricProgress.#m${i} = if_not_exists(metricProgress.#m${i}, :zero${i})`);
      });
    }
    const becomesFinal = patch.status !== undefined && FINAL_RUN_STATUSES.includes(patch.status);
    if (patch.status !== undefined && !becomesFinal) {
      // Back in the active list (a rescore of a finished run), so a restart resumes it.
      values[':active'] = keys.activeRuns;
      values[':self'] = id;
      sets.push('gsi3pk = :active', 'gsi3sk = :self');
    }
    const expression = updateExpression(sets, becomesFinal ? ['gsi3pk', 'gsi3sk'] : []);
    if (!expression) return this.get(scope, id);
    const guards = ['orgId = :org'];
    if (condition.statusIn) {
      guards.push(`#status IN (${condition.statusIn.map((_, i) => `:st${i}`).join(', ')})`);
      names['#status'] = 'status';
      condition.statusIn.forEach((st, i) => {
        values[`:st${i}`] = st;
      });
    }
    if (condition.countersAre) {
      guards.push('numRecords = :cr', 'numScores = :cs');
      values[':cr'] = condition.countersAre.numRecords;
      values[':cs'] = condition.countersAre.numScores;
    }
    if (condition.open) guards.push('attribute_not_exists(closedAt)');
    if (condition.trialsBelow !== undefined) {
      guards.push('trials < :tb');
      values[':tb'] = condition.trialsBelow;
    }
    try {
      const item = await this.table.update({
        ...keys.run(id),
        expression,
        condition: guards.join(' AND '),
        names,
        values,
        returnNew: true,
      });
      return item ? toRun(item) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  /**
   * Zeroes the scored/errored counters of these metric versions (a rescore starts them over), and counts the
   * rescore as progress: the stuck-run sweeper measures a new pass from its start, not from the last one.
   */
  async resetProgress(scope: Scope, id: string, metricVersionIds: string[]) {
    const names: Record<string, string> = {};
    const values: Item = { ':org': scope.orgId, ':lp': new Date().toISOString() };
    if (metricVersionIds.length > 0) values[':zero'] = { scored: 0, errored: 0 };
    const sets = metricVersionIds.map((v, i) => {
      names[`#m${i}`] = v;
      return `metricProgress.#m${i} = :zero`;
    });
    sets.push('lastProgressAt = :lp');
    await this.table.update({
      ...keys.run(id),
      expression: updateExpression(sets),
      names: metricVersionIds.length > 0 ? names : undefined,
      values,
      condition: 'orgId = :org',
    });
  }

  async addCounters(scope: Scope, id: string, delta: RunCounters, once?: string) {
    const names: Record<string, string> = {};
    const values: Item = {};
    const adds: string[] = [];
    const sets: string[] = [];
    const add = (path: string, n: number | undefined) => {
      if (!n) return;
      const v = `:n${adds.length}`;
      values[v] = n;
      adds.push(`${path} ${v}`);
    };
    add('numRecords', delta.numRecords);
    add('numScores', delta.numScores);
    add('numExecuted', delta.executed);
    add('numErroredRecords', delta.erroredRecords);
    add('numInvalidRecords', delta.invalidRecords);
    if (delta.firstRecordError) {
      values[':fe'] = delta.firstRecordError.slice(0, 1000);
      sets.push('firstRecordError = if_not_exists(firstRecordError, :fe)');
    }
    // Any count is progress: the stuck-run sweeper settles runs whose last progress is too old.
    values[':lp'] = new Date().toISOString();
    sets.push('lastProgressAt = :lp');
    if (delta.recordedAt) {
      values[':lr'] = delta.recordedAt;
      sets.push('lastRecordAt = :lr');
    }
    Object.entries(delta.metrics ?? {}).forEach(([versionId, d], i) => {
      names[`#m${i}`] = versionId;
      add(`metricProgress.#m${i}.scored`, d.scored);
      add(`metricProgress.#m${i}.errored`, d.errored);
      if (d.lastError) {
        values[`:e${i}`] = d.lastError.slice(0, 1000);
        sets.push(`metricProgress.#m${i}.lastError = :e${i}`);
      }
    });
    if (adds.length === 0 && sets.length === 1) return this.get(scope, id);
    if (once !== undefined) {
      // The keys counted so far, as a string set on the run item: the mark and the counts change together.
      values[':once'] = new Set([once]);
      values[':onceKey'] = once;
      adds.push('countedKeys :once');
    }
    try {
      const item = await this.table.update({
        ...keys.run(id),
        expression: [adds.length ? `ADD ${adds.join(', ')}` : '', sets.length ? `SET ${sets.join(', ')}` : '']
          .join(' ')
          .trim(),
        names: Object.keys(names).length ? names : undefined,
        values,
        condition:
          once === undefined ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND NOT contains(countedKeys, :onceKey)',
        returnNew: true,
      });
      return item && item.orgId === scope.orgId ? toRun(item) : null;
    } catch (error) {
      if (once !== undefined && isConditionFailure(error)) return this.get(scope, id);
      throw error;
    }
  }

  /**
   * Per-testcase counters as attributes of a few items in the run's partition (`RUN#id` / `TRIALS#<shard>`,
   * ~2,000 testcases each, far under DynamoDB's 400 KB), so a burst of posted records costs one ADD per shard it
   * touches rather than one per testcase.
   */
  async countTrials(scope: Scope, id: string, arrivals: Map<string, number>, size: number | null) {
    const shards = size === null ? 16 : Math.max(1, Math.ceil(size / 2_000));
    const byShard = new Map<number, Array<[string, number]>>();
    for (const entry of arrivals) {
      const shard = shards === 1 ? 0 : createHash('sha256').update(entry[0]).digest().readUInt32BE(0) % shards;
      byShard.set(shard, [...(byShard.get(shard) ?? []), entry]);
    }
    const totals = new Map<string, number>();
    const perUpdate = 100; // well inside an update expression's 4 KB and 300 operations
    const updates = [...byShard].flatMap(([shard, entries]) =>
      Array.from({ length: Math.ceil(entries.length / perUpdate) }, (_, i) => ({
        shard,
        entries: entries.slice(i * perUpdate, (i + 1) * perUpdate),
      })),
    );
    await Promise.all(
      updates.map(async ({ shard, entries }) => {
        const names: Record<string, string> = { '#type': 'type' };
        const values: Item = { ':type': 'trialCounts', ':org': scope.orgId };
        const adds = entries.map(([key, n], i) => {
          names[`#k${i}`] = key;
          values[`:n${i}`] = n;
          return `#k${i} :n${i}`;
        });
        const out = await this.table.client.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: { pk: keys.run(id).pk, sk: `TRIALS#${String(shard).padStart(4, '0')}` },
            UpdateExpression: `SET #type = :type, orgId = :org ADD ${adds.join(', ')}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        for (const [key, n] of entries) totals.set(key, Number(out.Attributes?.[key] ?? n));
      }),
    );
    return totals;
  }
}
