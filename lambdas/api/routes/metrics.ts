import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { requireProject } from '../../core/deps.js';
import { notFound } from '../../core/errors.js';
import { ListQuery, pageOf, Success } from '../../core/schemas/common.js';
import { CreateMetric, Metric, UpdateMetric } from '../../core/schemas/metric.js';
import { createMetric, updateMetric } from '../../core/services/metrics.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { listPage } from '../pagination.js';
import { defineRoute } from './define.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });
const MetricParams = z.object({ metricId: z.string().min(1).max(64) });
const tag = 'Metrics';

export function metricRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects/{projectId}/metrics',
      tag,
      summary: 'Create a metric',
      params: ProjectParams,
      body: CreateMetric,
      response: Metric,
      status: 201,
    }),
    async (c) =>
      c.json(await createMetric(deps, c.get('scope'), c.req.valid('param').projectId, c.req.valid('json')), 201),
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}/metrics',
      tag,
      summary: 'List metrics',
      params: ProjectParams,
      query: ListQuery,
      response: pageOf(Metric, 'MetricPage'),
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      await requireProject(deps, scope, projectId);
      const page = await listPage(deps.cursors, `metrics:${projectId}`, c.req.valid('query'), (request) =>
        deps.metrics.list(scope, projectId, request),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/metrics/{metricId}',
      tag,
      summary: 'Get a metric',
      params: MetricParams,
      response: Metric,
    }),
    async (c) => {
      const { metricId } = c.req.valid('param');
      const metric = await deps.metrics.get(c.get('scope'), metricId);
      if (!metric) throw notFound('metric', metricId);
      return c.json(metric, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/metrics/{metricId}',
      tag,
      summary: 'Update a metric (new version)',
      params: MetricParams,
      body: UpdateMetric,
      response: Metric,
    }),
    async (c) =>
      c.json(await updateMetric(deps, c.get('scope'), c.req.valid('param').metricId, c.req.valid('json')), 200),
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/metrics/{metricId}',
      tag,
      summary: 'Delete a metric',
      params: MetricParams,
      response: Success,
    }),
    async (c) => {
      const { metricId } = c.req.valid('param');
      if (!(await deps.metrics.delete(c.get('scope'), metricId))) throw notFound('metric', metricId);
      return c.json({ success: true as const }, 200);
    },
  );

  return app;
}
