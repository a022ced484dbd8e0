import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from './context.js';
import { docsRoutes } from './docs.js';
import { errorResponse, onError, validationHook } from './errors.js';
import { authMiddleware } from './middleware/auth.js';
import { limitBody, limitJsonDepth, requireJson } from './middleware/body.js';
import { idempotencyMiddleware } from './middleware/idempotency.js';
import { otlpRoutes } from './otlp.js';
import { ROUTE_GROUPS, type RouteGroup } from './routes/index.js';

export const API_BASE = '/api/v2';

export type { RouteGroup };

/**
 * The whole HTTP API as one Hono app over Web Request/Response: served by @hono/node-server locally and by
 * hono/aws-lambda behind API Gateway.
 */
export function createApp(deps: ApiDeps, extraGroups: RouteGroup[] = []) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound((c) => errorResponse(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.get('/health', async (c) => {
    const components = await deps.health();
    const ok = Object.values(components).every((s) => s === 'ok');
    return c.json({ status: ok ? 'ok' : 'degraded', components }, ok ? 200 : 503);
  });
  app.route('/', docsRoutes(`${API_BASE}/openapi.json`));
  // One auth for both mounts, so its key cache and failed-auth throttle are shared.
  const auth = authMiddleware(deps);
  // OpenTelemetry exporters post to /v1/traces at the root, as OTLP/HTTP prescribes (same Bearer auth).
  app.route('/', otlpRoutes(deps, auth));

  const api = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  api.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer' });
  api.use('*', limitBody, requireJson);
  api.use('*', async (c, next) => (c.req.path === `${API_BASE}/openapi.json` ? next() : auth(c, next)));
  api.use('*', limitJsonDepth);
  api.use('*', idempotencyMiddleware(deps));
  for (const group of [...ROUTE_GROUPS, ...extraGroups]) {
    api.route('/', group(deps));
  }
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Verdict API',
      version: '2.0.0',
      description: 'Evaluate AI systems: a superset of Scorecard’s v2 API.',
    },
    servers: [{ url: API_BASE }],
  });
  app.route(API_BASE, api);
  return app;
}
