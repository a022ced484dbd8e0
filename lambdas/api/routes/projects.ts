import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { requireProject } from '../../core/deps.js';
import { newId } from '../../core/ids.js';
import { ListQuery, pageOf } from '../../core/schemas/common.js';
import { CreateProject, Project } from '../../core/schemas/project.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { listPage } from '../pagination.js';
import { defineRoute } from './define.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });

export function projectRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects',
      tag: 'Projects',
      summary: 'Create a project',
      body: CreateProject,
      response: Project,
      status: 201,
    }),
    async (c) => {
      const input = c.req.valid('json');
      const project = await deps.projects.create(c.get('scope'), {
        id: newId(),
        name: input.name,
        description: input.description,
      });
      return c.json(project, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects',
      tag: 'Projects',
      summary: 'List projects',
      query: ListQuery,
      response: pageOf(Project, 'ProjectPage'),
    }),
    async (c) => {
      const scope = c.get('scope');
      const page = await listPage(deps.cursors, `projects:${scope.orgId}`, c.req.valid('query'), (request) =>
        deps.projects.list(scope, request),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}',
      tag: 'Projects',
      summary: 'Get a project',
      params: ProjectParams,
      response: Project,
    }),
    async (c) => c.json(await requireProject(deps, c.get('scope'), c.req.valid('param').projectId), 200),
  );

  return app;
}
