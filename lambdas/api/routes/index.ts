import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../context.js';
import { metricRoutes } from './metrics.js';
import { projectRoutes } from './projects.js';
import { recordRoutes } from './records.js';
import { runRoutes } from './runs.js';
import { systemRoutes } from './systems.js';
import { testsetRoutes } from './testsets.js';

export type RouteGroup = (deps: ApiDeps) => OpenAPIHono<ApiEnv>;

/** Every route group of /api/v2, in registration order (specific paths before parameterised ones). */
export const ROUTE_GROUPS: RouteGroup[] = [
  projectRoutes,
  testsetRoutes,
  metricRoutes,
  systemRoutes,
  runRoutes,
  recordRoutes,
];
