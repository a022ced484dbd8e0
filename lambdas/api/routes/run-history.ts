import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { RunHistory, RunHistoryQuery } from '../../core/schemas/run-history.js';
import { runHistory } from '../../core/services/run-history.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { pageRequest, pageResponse } from '../pagination.js';
import { defineRoute } from './define.js';
import { filterScope } from './project-records.js';

export function runHistoryRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}/run-history',
      tag: 'Runs',
      summary: 'Per metric, one point per completed run: pass rate (boolean) or mean (int, float)',
      params: z.object({ projectId: z.string().min(1).max(64) }),
      query: RunHistoryQuery,
      response: RunHistory,
    }),
    async (c) => {
      const { projectId } = c.req.valid('param');
      const { cursor, limit, ...filter } = c.req.valid('query');
      const listScope = filterScope('run-history', projectId, filter);
      const request = pageRequest(deps.cursors, listScope, { limit, cursor });
      const page = await runHistory(deps, c.get('scope'), projectId, { ...filter, limit }, request.after);
      const { data, nextCursor, hasMore } = pageResponse(deps.cursors, listScope, page);
      return c.json({ metrics: data, nextCursor, hasMore }, 200);
    },
  );

  return app;
}
