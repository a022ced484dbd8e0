import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../context.js';
import { compareRoutes } from './compare.js';
import { exportRoutes } from './exports.js';
import { githubRoutes } from './github.js';
import { metricRoutes } from './metrics.js';
import { monitorRoutes } from './monitors.js';
import { playgroundRoutes } from './playground.js';
import { projectRecordRoutes } from './project-records.js';
import { projectRoutes } from './projects.js';
import { recordRoutes } from './records.js';
import { runHistoryRoutes } from './run-history.js';
import { runRoutes } from './runs.js';
import { secretRoutes } from './secrets.js';
import { systemRoutes } from './systems.js';
import { testsetRoutes } from './testsets.js';
import { traceRoutes } from './traces.js';

export type RouteGroup = (deps: ApiDeps) => OpenAPIHono<ApiEnv>;

/** Every route group of /api/v2, in registration order (specific paths before parameterised ones). */
export const ROUTE_GROUPS: RouteGroup[] = [
  projectRoutes,
  testsetRoutes,
  metricRoutes,
  systemRoutes,
  secretRoutes,
  githubRoutes,
  runRoutes,
  recordRoutes,
  compareRoutes,
  projectRecordRoutes,
  exportRoutes,
  runHistoryRoutes,
  monitorRoutes,
  traceRoutes,
  playgroundRoutes,
];
