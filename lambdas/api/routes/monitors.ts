import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { requireProject } from '../../core/deps.js';
import { notFound } from '../../core/errors.js';
import { createMonitor, deleteMonitor, updateMonitor } from '../../core/monitors/service.js';
import { runMonitorTick } from '../../core/monitors/tick.js';
import { ErrorBody, ListQuery, pageOf, Success } from '../../core/schemas/common.js';
import { CreateMonitor, Monitor, TickResult, TriggerMonitor, UpdateMonitor } from '../../core/schemas/monitor.js';
import { parseDuration } from '../../core/syntax/schedule.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { listPage } from '../pagination.js';
import { defineRoute } from './define.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });
const MonitorParams = z.object({ monitorId: z.string().min(1).max(64) });
const tag = 'Monitors';

export const monitorNow = (deps: ApiDeps) => deps.monitorClock();

// The body is optional (a bare POST runs the due window), so this route is declared without defineRoute.
const triggerRoute = createRoute({
  method: 'post',
  path: '/monitors/{monitorId}/trigger',
  tags: [tag],
  summary: 'Run one tick now: the due window, or the last `lookback` if given',
  security: [{ Bearer: [] }],
  request: {
    params: MonitorParams,
    body: { content: { 'application/json': { schema: TriggerMonitor } }, required: false },
  },
  responses: {
    200: { description: 'OK', content: { 'application/json': { schema: TickResult } } },
    400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorBody } } },
    404: { description: 'Not found', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function monitorRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects/{projectId}/monitors',
      tag,
      summary: 'Create a monitor (and its schedule, when active)',
      params: ProjectParams,
      body: CreateMonitor,
      response: Monitor,
      status: 201,
    }),
    async (c) => {
      const monitor = await createMonitor(
        deps,
        c.get('scope'),
        c.req.valid('param').projectId,
        c.req.valid('json'),
        monitorNow(deps),
      );
      return c.json(monitor, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}/monitors',
      tag,
      summary: 'List monitors',
      params: ProjectParams,
      query: ListQuery,
      response: pageOf(Monitor, 'MonitorPage'),
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      await requireProject(deps, scope, projectId);
      const page = await listPage(deps.cursors, `monitors:${projectId}`, c.req.valid('query'), (request) =>
        deps.monitors.list(scope, projectId, request),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/monitors/{monitorId}',
      tag,
      summary: 'Get a monitor',
      params: MonitorParams,
      response: Monitor,
    }),
    async (c) => {
      const { monitorId } = c.req.valid('param');
      const monitor = await deps.monitors.get(c.get('scope'), monitorId);
      if (!monitor) throw notFound('monitor', monitorId);
      return c.json(monitor, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/monitors/{monitorId}',
      tag,
      summary: 'Update a monitor; its schedule follows (deactivating removes it)',
      params: MonitorParams,
      body: UpdateMonitor,
      response: Monitor,
    }),
    async (c) => {
      const { monitorId } = c.req.valid('param');
      const monitor = await updateMonitor(deps, c.get('scope'), monitorId, c.req.valid('json'), monitorNow(deps));
      return c.json(monitor, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/monitors/{monitorId}',
      tag,
      summary: 'Delete a monitor and its schedule (its runs stay)',
      params: MonitorParams,
      response: Success,
    }),
    async (c) => {
      await deleteMonitor(deps, c.get('scope'), c.req.valid('param').monitorId);
      return c.json({ success: true as const }, 200);
    },
  );

  app.openapi(triggerRoute, async (c) => {
    const { lookback } = c.req.valid('json');
    const now = monitorNow(deps);
    const result = await runMonitorTick(deps, {
      orgId: c.get('scope').orgId,
      monitorId: c.req.valid('param').monitorId,
      dueAt: now,
      now,
      scheduled: false,
      lookbackMs: lookback ? (parseDuration(lookback) ?? undefined) : undefined,
    });
    return c.json(result, 200);
  });

  return app;
}
