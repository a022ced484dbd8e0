import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { requireProject } from '../../core/deps.js';
import { VerdictError } from '../../core/errors.js';
import { connectGithub, requireGithubConnection } from '../../core/github/runs.js';
import { Success } from '../../core/schemas/common.js';
import { GithubConnection, PutGithubConnection } from '../../core/schemas/github.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { defineRoute } from './define.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });
const tag = 'GitHub';

/**
 * A project's GitHub connection: the workflow Verdict starts for `POST /projects/{id}/runs {execution: "github"}`.
 * The token is written here and never read back.
 */
export function githubRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/projects/{projectId}/github',
      tag,
      summary: 'Connect the project to a GitHub Actions workflow (the token is stored as a secret, never returned)',
      params: ProjectParams,
      body: PutGithubConnection,
      response: GithubConnection,
    }),
    async (c) => {
      const { projectId } = c.req.valid('param');
      return c.json(await connectGithub(deps, c.get('scope'), projectId, c.req.valid('json')), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}/github',
      tag,
      summary: 'The project’s GitHub connection (without its token)',
      params: ProjectParams,
      response: GithubConnection,
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      await requireProject(deps, scope, projectId);
      const connection = await deps.github.connections.get(scope, projectId);
      // A code of its own, so a client tells "this project has no connection" from "no such project".
      if (!connection) {
        throw new VerdictError(404, 'github_not_connected', `project ${projectId} has no GitHub connection`);
      }
      return c.json(connection, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/projects/{projectId}/github',
      tag,
      summary: 'Disconnect the project from GitHub (the token is deleted)',
      params: ProjectParams,
      response: Success,
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      await requireProject(deps, scope, projectId);
      await requireGithubConnection(deps, scope, projectId);
      await deps.github.connections.delete(scope, projectId);
      return c.json({ success: true as const }, 200);
    },
  );

  return app;
}
