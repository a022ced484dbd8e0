import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { ingestTraces } from '../../core/monitors/traces.js';
import { IngestResult, IngestTraces } from '../../core/schemas/trace.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { defineRoute } from './define.js';
import { monitorNow } from './monitors.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });

/** Production interactions for monitors to sample (OTLP/HTTP JSON arrives on /v1/traces instead). */
export function traceRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects/{projectId}/traces',
      tag: 'Traces',
      summary: 'Store up to 500 production interactions (kept ttlDays, default 30); reposting a trace replaces it',
      params: ProjectParams,
      body: IngestTraces,
      response: IngestResult,
      status: 201,
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await ingestTraces(deps, c.get('scope'), c.req.valid('param').projectId, body.items, {
        now: monitorNow(deps),
        ttlDays: body.ttlDays,
      });
      return c.json(result, 201);
    },
  );

  return app;
}
