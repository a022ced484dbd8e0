import { type CoreDeps, requireProject } from '../deps.js';
import { badRequest, notFound, VerdictError } from '../errors.js';
import { newId } from '../ids.js';
import type { Scope } from '../ports.js';
import { resolveMetrics } from '../runs/lifecycle.js';
import type { CreateMonitor, Monitor, MonitorFilter, MonitorTarget, UpdateMonitor } from '../schemas/monitor.js';
import { hostedConfig } from '../schemas/system.js';
import type { MonitorRepository, Scheduler } from './ports.js';

export interface MonitorServiceDeps extends CoreDeps {
  monitors: MonitorRepository;
  /** `noScheduler` where nothing can fire schedules: active monitors are then refused rather than silently idle. */
  scheduler: Scheduler;
}

const normalizeFilter = (filter: MonitorFilter): MonitorFilter => ({
  spanName: filter.spanName || null,
  serviceName: filter.serviceName || null,
  searchText: filter.searchText || null,
});

/** Metrics and the testset × system version a monitor names must exist in its project (404s name the field). */
async function checkReferences(
  deps: CoreDeps,
  scope: Scope,
  projectId: string,
  metricIds: string[] | undefined,
  target: MonitorTarget | undefined,
) {
  if (metricIds) await resolveMetrics(deps, scope, projectId, metricIds);
  if (!target || target === 'traces') return;
  const testset = await deps.testsets.get(scope, target.testsetId);
  if (!testset || testset.projectId !== projectId) {
    throw new VerdictError(404, 'not_found', `testset ${target.testsetId} was not found`, [
      { path: 'target.testsetId', message: 'not found in this project' },
    ]);
  }
  const version = await deps.systems.getVersion(scope, target.systemVersionId);
  if (!version || version.projectId !== projectId) {
    throw new VerdictError(404, 'not_found', `system version ${target.systemVersionId} was not found`, [
      { path: 'target.systemVersionId', message: 'not found in this project' },
    ]);
  }
  if (!hostedConfig(version.config)) {
    throw badRequest('this system runs outside Verdict, so it cannot run on a schedule', [
      {
        path: 'target.systemVersionId',
        message: 'runs outside Verdict (external or free-form config): its records come from the SDK',
      },
    ]);
  }
}

function requireScheduler(deps: MonitorServiceDeps, active: boolean) {
  if (active && deps.scheduler.unavailable !== null) {
    throw new VerdictError(
      503,
      'scheduler_unavailable',
      'monitors cannot be scheduled here: this deployment has no scheduler configured; create the monitor inactive',
      [{ path: 'active', message: 'no scheduler is configured' }],
    );
  }
}

const scheduled = (scope: Scope, monitor: Monitor) => ({ ...monitor, orgId: scope.orgId });

export async function createMonitor(
  deps: MonitorServiceDeps,
  scope: Scope,
  projectId: string,
  input: CreateMonitor,
  now: Date,
): Promise<Monitor> {
  await requireProject(deps, scope, projectId);
  const metricIds = [...new Set(input.metricIds)];
  await checkReferences(deps, scope, projectId, metricIds, input.target);
  requireScheduler(deps, input.active);
  const at = now.toISOString();
  const monitor: Monitor = {
    id: newId(),
    projectId,
    name: input.name,
    schedule: input.schedule,
    active: input.active,
    metricIds,
    sampleRate: input.sampleRate,
    filter: normalizeFilter(input.filter),
    lookback: input.lookback ?? null,
    target: input.target,
    createdAt: at,
    updatedAt: at,
    lastTickEnd: null,
    lastTickAt: null,
    lastRunId: null,
  };
  await deps.monitors.create(scope, monitor);
  try {
    await deps.scheduler.upsertSchedule(scheduled(scope, monitor));
  } catch (error) {
    // No monitor without its schedule: the client retries the whole create.
    await deps.monitors.delete(scope, monitor.id);
    throw error;
  }
  return monitor;
}

export async function updateMonitor(
  deps: MonitorServiceDeps,
  scope: Scope,
  id: string,
  patch: UpdateMonitor,
  now: Date,
): Promise<Monitor> {
  const current = await deps.monitors.get(scope, id);
  if (!current) throw notFound('monitor', id);
  const metricIds = patch.metricIds ? [...new Set(patch.metricIds)] : undefined;
  await checkReferences(deps, scope, current.projectId, metricIds, patch.target);
  requireScheduler(deps, patch.active ?? current.active);
  const updated = await deps.monitors.update(scope, id, {
    name: patch.name,
    schedule: patch.schedule,
    active: patch.active,
    metricIds,
    sampleRate: patch.sampleRate,
    filter: patch.filter ? normalizeFilter(patch.filter) : undefined,
    lookback: patch.lookback,
    target: patch.target,
    updatedAt: now.toISOString(),
    // A reactivated monitor starts from its lookback rather than evaluating everything since it was paused.
    resetCursor: patch.active === true && !current.active,
  });
  if (!updated) throw notFound('monitor', id);
  await deps.scheduler.upsertSchedule(scheduled(scope, updated));
  return updated;
}

/** The schedule goes first, so a retried delete after a failure still removes it. */
export async function deleteMonitor(deps: MonitorServiceDeps, scope: Scope, id: string): Promise<void> {
  const current = await deps.monitors.get(scope, id);
  if (!current) throw notFound('monitor', id);
  await deps.scheduler.deleteSchedule(id);
  await deps.monitors.delete(scope, id);
}
