import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { PlaygroundRequest, PlaygroundResult } from '../../core/schemas/playground.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { defineRoute } from './define.js';

/** The Playground's synchronous call: one system run on one testcase, nothing stored. */
export function playgroundRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects/{projectId}/playground',
      tag: 'Playground',
      summary: 'Run a system version (or an edited config) once on one testcase and answer with its output',
      params: z.object({ projectId: z.string().min(1).max(64) }),
      body: PlaygroundRequest,
      response: PlaygroundResult,
    }),
    async (c) => {
      const result = await deps.playground.run(c.get('scope'), c.req.valid('param').projectId, c.req.valid('json'));
      return c.json(result, 200);
    },
  );

  return app;
}
