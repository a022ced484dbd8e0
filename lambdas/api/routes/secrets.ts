import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { notFound } from '../../core/errors.js';
import { ListQuery, pageOf, Success } from '../../core/schemas/common.js';
import { ProjectSecret, PutProjectSecret, SecretName } from '../../core/schemas/secret.js';
import { nowIso, requireProject } from '../../core/services/deps.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { listPage } from '../pagination.js';
import { defineRoute } from './define.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });
const SecretParams = ProjectParams.extend({ name: SecretName });
const tag = 'Secrets';

/**
 * A project's secrets, which its systems name (`{{ secrets.NAME }}` in http headers, `apiKeySecret`): written
 * and listed here, never read back. Runs read only the secrets of their own project.
 */
export function secretRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/projects/{projectId}/secrets/{name}',
      tag,
      summary: 'Create or replace a project secret (the value is never returned)',
      params: SecretParams,
      body: PutProjectSecret,
      response: ProjectSecret,
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId, name } = c.req.valid('param');
      const secrets = deps.projectSecrets;
      await requireProject(deps, scope, projectId);
      const secret = await secrets.put(scope, projectId, name, c.req.valid('json').value, nowIso(deps));
      return c.json(secret, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}/secrets',
      tag,
      summary: 'List a project’s secrets (names and dates only)',
      params: ProjectParams,
      query: ListQuery,
      response: pageOf(ProjectSecret, 'ProjectSecretPage'),
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      const secrets = deps.projectSecrets;
      await requireProject(deps, scope, projectId);
      const page = await listPage(deps.cursors, `secrets:${projectId}`, c.req.valid('query'), (request) =>
        secrets.list(scope, projectId, request),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/projects/{projectId}/secrets/{name}',
      tag,
      summary: 'Delete a project secret',
      params: SecretParams,
      response: Success,
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId, name } = c.req.valid('param');
      const secrets = deps.projectSecrets;
      await requireProject(deps, scope, projectId);
      if (!(await secrets.delete(scope, projectId, name))) throw notFound('secret', name);
      return c.json({ success: true as const }, 200);
    },
  );

  return app;
}
