import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { compareRunsById } from '../../core/compare/load.js';
import { CompareQuery, RunComparison } from '../../core/schemas/compare.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { defineRoute } from './define.js';

const RunParams = z.object({ runId: z.string().min(1).max(64) });

export function compareRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/runs/{runId}/compare',
      tag: 'Runs',
      summary: 'Compare a run with a baseline run: per-metric difference with a 95% paired-bootstrap interval',
      params: RunParams,
      query: CompareQuery,
      response: RunComparison,
    }),
    async (c) =>
      c.json(
        await compareRunsById(deps, c.get('scope'), c.req.valid('param').runId, c.req.valid('query').baseline),
        200,
      ),
  );

  return app;
}
