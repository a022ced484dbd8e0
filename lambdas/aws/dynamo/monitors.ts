import type { MonitorPatch, MonitorRepository, TickState } from '../../core/monitors/ports.js';
import type { PageRequest } from '../../core/pagination.js';
import type { Scope } from '../../core/ports.js';
import type { Monitor } from '../../core/schemas/monitor.js';
import { getOwned, listChildren } from './projects.js';
import { entityOf, type Item, isConditionFailure, setClauses, type Table, updateExpression } from './table.js';

/** A window's lock outlives any trace it could cover (traces live at most 365 days; ticks cover ≤ 90). */
const TICK_TTL_SECONDS = 400 * 86_400;

export const monitorKeys = {
  monitor: (id: string) => ({ pk: `MONITOR#${id}`, sk: '#' }),
  monitorsOf: (projectId: string) => `PROJECT#${projectId}#MONITORS`,
  /** gsi2 partition of the active monitors, which the local scheduler re-arms on start. */
  active: 'MONITORS#ACTIVE',
  /** Window locks live in their monitor's partition. */
  tick: (monitorId: string, key: string) => ({ pk: `MONITOR#${monitorId}`, sk: `TICK#${key}` }),
  /** gsi3 partition of a monitor's windows that are claimed but not done (sparse: removed when done). */
  openTicks: (monitorId: string) => `MONITOR#${monitorId}#OPEN`,
};

const CURSOR_FIELDS = ['lastTickEnd', 'lastTickAt', 'lastRunId'] as const;

/** The cursor fields are absent until the first tick, so conditions can test attribute_not_exists. */
function toMonitor(item: Item): Monitor {
  const monitor = entityOf<Monitor>(item);
  for (const field of CURSOR_FIELDS) monitor[field] ??= null;
  return monitor;
}

function toTick(item: Item): TickState {
  return {
    monitorId: String(item.monitorId),
    key: String(item.key),
    windowStart: String(item.windowStart),
    windowEnd: String(item.windowEnd),
    phase: item.phase === 'done' ? 'done' : 'claimed',
    advancesCursor: item.advancesCursor !== false,
    runId: typeof item.runId === 'string' ? item.runId : null,
    numRecords: Number(item.numRecords ?? 0),
    counted: item.counted === true,
    launched: item.launched === true,
    leaseUntil: String(item.leaseUntil),
  };
}

export class DynamoMonitorRepository implements MonitorRepository {
  constructor(private readonly table: Table) {}

  async create(scope: Scope, monitor: Monitor) {
    const stored: Item = { ...monitor };
    for (const field of CURSOR_FIELDS) if (stored[field] === null) delete stored[field];
    await this.table.put({
      ...monitorKeys.monitor(monitor.id),
      gsi1pk: monitorKeys.monitorsOf(monitor.projectId),
      gsi1sk: monitor.id,
      ...(monitor.active ? { gsi2pk: monitorKeys.active, gsi2sk: monitor.id } : {}),
      type: 'monitor',
      orgId: scope.orgId,
      ...stored,
    });
    return monitor;
  }

  async get(scope: Scope, id: string) {
    const item = await getOwned(this.table, scope, monitorKeys.monitor(id));
    return item ? toMonitor(item) : null;
  }

  async list(scope: Scope, projectId: string, page: PageRequest) {
    const paged = await listChildren<Monitor>(this.table, scope, monitorKeys.monitorsOf(projectId), page);
    return { ...paged, items: paged.items.map((m) => toMonitor(m as unknown as Item)) };
  }

  async update(scope: Scope, id: string, patch: MonitorPatch) {
    const { resetCursor, ...fields } = patch;
    const names: Record<string, string> = {};
    const values: Item = { ':org': scope.orgId };
    const sets = setClauses(fields, names, values);
    const removes: string[] = [];
    if (patch.active === true) {
      values[':active'] = monitorKeys.active;
      values[':self'] = id;
      sets.push('gsi2pk = :active', 'gsi2sk = :self');
    } else if (patch.active === false) removes.push('gsi2pk', 'gsi2sk');
    if (resetCursor) removes.push('lastTickEnd');
    const expression = updateExpression(sets, removes);
    if (!expression) return this.get(scope, id);
    try {
      const item = await this.table.update({
        ...monitorKeys.monitor(id),
        expression,
        condition: 'orgId = :org',
        names: Object.keys(names).length ? names : undefined,
        values,
        returnNew: true,
      });
      return item ? toMonitor(item) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async delete(scope: Scope, id: string) {
    const key = monitorKeys.monitor(id);
    try {
      await this.table.delete(key.pk, key.sk, { expression: 'orgId = :org', values: { ':org': scope.orgId } });
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    // Its window locks would expire anyway; remove them with it.
    for (;;) {
      const { items } = await this.table.query({ partition: key.pk, beginsWith: 'TICK#', limit: 100 });
      if (items.length === 0) return true;
      for (const item of items) await this.table.delete(String(item.pk), String(item.sk));
    }
  }

  async listActive() {
    const items = await this.table.queryAll({ index: 'gsi2', partition: monitorKeys.active });
    return items.map((item) => ({ orgId: String(item.orgId), monitor: toMonitor(item) }));
  }

  async recordTick(scope: Scope, id: string, tick: { windowEnd: string; at: string; runId: string | null }) {
    const values: Item = { ':org': scope.orgId, ':end': tick.windowEnd, ':at': tick.at };
    const sets = ['lastTickEnd = :end', 'lastTickAt = :at'];
    if (tick.runId) {
      values[':run'] = tick.runId;
      sets.push('lastRunId = :run');
    }
    try {
      await this.table.update({
        ...monitorKeys.monitor(id),
        expression: updateExpression(sets),
        // Never backwards: a late or out-of-order tick leaves a further cursor alone.
        condition: 'orgId = :org AND (attribute_not_exists(lastTickEnd) OR lastTickEnd <= :end)',
        values,
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async claimTick(
    scope: Scope,
    tick: Pick<TickState, 'monitorId' | 'key' | 'windowStart' | 'windowEnd' | 'advancesCursor'>,
    now: Date,
    leaseMs: number,
  ) {
    const key = monitorKeys.tick(tick.monitorId, tick.key);
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    const fresh: TickState = {
      ...tick,
      phase: 'claimed',
      runId: null,
      numRecords: 0,
      counted: false,
      launched: false,
      leaseUntil,
    };
    const item = {
      ...key,
      gsi3pk: monitorKeys.openTicks(tick.monitorId),
      gsi3sk: tick.key,
      type: 'monitorTick',
      orgId: scope.orgId,
      ...fresh,
      expiresAt: Math.floor(now.getTime() / 1000) + TICK_TTL_SECONDS,
    };
    if (await this.table.putIfAbsent(item)) return { state: fresh, owned: true };
    const existing = await getOwned(this.table, scope, key);
    if (!existing) throw new Error(`tick lock ${key.pk}/${key.sk} belongs to another organization`);
    const state = toTick(existing);
    if (state.phase === 'done' || state.leaseUntil > now.toISOString()) return { state, owned: false };
    // The tick that claimed this window stopped without finishing: take it over, once.
    try {
      const taken = await this.table.update({
        ...key,
        expression: 'SET leaseUntil = :lease',
        condition: 'leaseUntil = :old AND phase = :claimed',
        values: { ':lease': leaseUntil, ':old': state.leaseUntil, ':claimed': 'claimed' },
        returnNew: true,
      });
      return { state: toTick(taken ?? existing), owned: true };
    } catch (error) {
      if (isConditionFailure(error)) return { state, owned: false };
      throw error;
    }
  }

  async updateTick(
    scope: Scope,
    monitorId: string,
    key: string,
    patch: Partial<Pick<TickState, 'phase' | 'runId' | 'numRecords'>>,
  ) {
    const names: Record<string, string> = {};
    const values: Item = { ':org': scope.orgId };
    const sets = setClauses(patch, names, values);
    if (sets.length === 0) return;
    await this.table.update({
      ...monitorKeys.tick(monitorId, key),
      // A done window leaves the open-ticks index.
      expression: updateExpression(sets, patch.phase === 'done' ? ['gsi3pk', 'gsi3sk'] : []),
      condition: 'orgId = :org',
      names,
      values,
    });
  }

  async releaseTick(scope: Scope, monitorId: string, key: string, now: Date) {
    try {
      await this.table.update({
        ...monitorKeys.tick(monitorId, key),
        expression: 'SET leaseUntil = :now',
        condition: 'orgId = :org AND phase = :claimed',
        values: { ':now': now.toISOString(), ':org': scope.orgId, ':claimed': 'claimed' },
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async listOpenTicks(scope: Scope, monitorId: string) {
    const { items } = await this.table.query({
      index: 'gsi3',
      partition: monitorKeys.openTicks(monitorId),
      limit: 100,
    });
    return items.filter((i) => i.orgId === scope.orgId).map(toTick);
  }

  async markTick(scope: Scope, monitorId: string, key: string, mark: 'counted' | 'launched') {
    try {
      await this.table.update({
        ...monitorKeys.tick(monitorId, key),
        expression: 'SET #mark = :true',
        condition: 'orgId = :org AND (attribute_not_exists(#mark) OR #mark = :false)',
        names: { '#mark': mark },
        values: { ':true': true, ':false': false, ':org': scope.orgId },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
