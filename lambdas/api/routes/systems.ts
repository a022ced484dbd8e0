import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { requireProject } from '../../core/deps.js';
import { notFound } from '../../core/errors.js';
import { ListQuery, pageOf, Success } from '../../core/schemas/common.js';
import { CreateSystemVersion, System, SystemVersion, UpdateSystem, UpsertSystem } from '../../core/schemas/system.js';
import { addSystemVersion, upsertSystem } from '../../core/services/systems.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { listPage } from '../pagination.js';
import { defineRoute } from './define.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });
const SystemParams = z.object({ systemId: z.string().min(1).max(64) });
const VersionParams = z.object({ versionId: z.string().min(1).max(64) });
const tag = 'Systems';

export function systemRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects/{projectId}/systems',
      tag,
      summary: 'Create or update a system by name',
      params: ProjectParams,
      body: UpsertSystem,
      response: System,
      status: 201,
    }),
    async (c) => {
      const { system, created } = await upsertSystem(
        deps,
        c.get('scope'),
        c.req.valid('param').projectId,
        c.req.valid('json'),
      );
      return c.json(system, created ? 201 : 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}/systems',
      tag,
      summary: 'List systems',
      params: ProjectParams,
      query: ListQuery,
      response: pageOf(System, 'SystemPage'),
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      await requireProject(deps, scope, projectId);
      const page = await listPage(deps.cursors, `systems:${projectId}`, c.req.valid('query'), (request) =>
        deps.systems.list(scope, projectId, request),
      );
      return c.json(page, 200);
    },
  );

  // Registered before /systems/{systemId} so "versions" is not read as a system id.
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/systems/versions/{versionId}',
      tag,
      summary: 'Get a system version',
      params: VersionParams,
      response: SystemVersion,
    }),
    async (c) => {
      const { versionId } = c.req.valid('param');
      const version = await deps.systems.getVersion(c.get('scope'), versionId);
      if (!version) throw notFound('system version', versionId);
      const { projectId: _p, ...rest } = version;
      return c.json(rest, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/systems/{systemId}',
      tag,
      summary: 'Get a system',
      params: SystemParams,
      response: System,
    }),
    async (c) => {
      const { systemId } = c.req.valid('param');
      const system = await deps.systems.get(c.get('scope'), systemId);
      if (!system) throw notFound('system', systemId);
      return c.json(system, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/systems/{systemId}',
      tag,
      summary: 'Update a system',
      params: SystemParams,
      body: UpdateSystem,
      response: System,
    }),
    async (c) => {
      const { systemId } = c.req.valid('param');
      const system = await deps.systems.update(c.get('scope'), systemId, c.req.valid('json'));
      if (!system) throw notFound('system (or production version)', systemId);
      return c.json(system, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/systems/{systemId}',
      tag,
      summary: 'Delete a system',
      params: SystemParams,
      response: Success,
    }),
    async (c) => {
      const { systemId } = c.req.valid('param');
      if (!(await deps.systems.delete(c.get('scope'), systemId))) throw notFound('system', systemId);
      return c.json({ success: true as const }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/systems/{systemId}/versions',
      tag,
      summary: 'Get or create the version with this config',
      params: SystemParams,
      body: CreateSystemVersion,
      response: SystemVersion,
    }),
    async (c) => {
      const { version } = await addSystemVersion(
        deps,
        c.get('scope'),
        c.req.valid('param').systemId,
        c.req.valid('json'),
      );
      return c.json(version, 200);
    },
  );

  return app;
}
