import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { requireProject, requireTestset } from '../../core/deps.js';
import { notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { ListQuery, pageOf, Success } from '../../core/schemas/common.js';
import {
  BulkDeleteTestcases,
  CreateTestcases,
  CreateTestset,
  Testcase,
  TestcaseList,
  Testset,
  UpdateTestcase,
  UpdateTestset,
} from '../../core/schemas/testset.js';
import { buildTestcase, compileTestsetSchema } from '../../core/services/testcases.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { listPage } from '../pagination.js';
import { defineRoute } from './define.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });
const TestsetParams = z.object({ testsetId: z.string().min(1).max(64) });
const TestcaseParams = z.object({ testcaseId: z.string().min(1).max(64) });
const tag = 'Testsets';

/** Strips storage-only fields so responses match the Testset schema. */
const present = ({ projectId: _p, ...t }: Testset & { projectId?: string }): Testset => ({
  ...t,
  numTestcases: t.numTestcases ?? 0,
});

export function testsetRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects/{projectId}/testsets',
      tag,
      summary: 'Create a testset',
      params: ProjectParams,
      body: CreateTestset,
      response: Testset,
      status: 201,
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      const input = c.req.valid('json');
      await requireProject(deps, scope, projectId);
      compileTestsetSchema(input.jsonSchema);
      const testset: Testset = { id: newId(), ...input, numTestcases: 0 };
      await deps.testsets.create(scope, projectId, testset);
      return c.json(testset, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}/testsets',
      tag,
      summary: 'List testsets',
      params: ProjectParams,
      query: ListQuery,
      response: pageOf(Testset, 'TestsetPage'),
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      await requireProject(deps, scope, projectId);
      const page = await listPage(deps.cursors, `testsets:${projectId}`, c.req.valid('query'), async (request) => {
        const stored = await deps.testsets.list(scope, projectId, request);
        return { ...stored, items: stored.items.map(present) };
      });
      return c.json(page, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/testsets/{testsetId}',
      tag,
      summary: 'Get a testset',
      params: TestsetParams,
      response: Testset,
    }),
    async (c) => c.json(present(await requireTestset(deps, c.get('scope'), c.req.valid('param').testsetId)), 200),
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/testsets/{testsetId}',
      tag,
      summary: 'Update a testset',
      params: TestsetParams,
      body: UpdateTestset,
      response: Testset,
    }),
    async (c) => {
      const patch = c.req.valid('json');
      if (patch.jsonSchema) compileTestsetSchema(patch.jsonSchema);
      const { testsetId } = c.req.valid('param');
      const updated = await deps.testsets.update(c.get('scope'), testsetId, patch);
      if (!updated) throw notFound('testset', testsetId);
      return c.json(present(updated), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/testsets/{testsetId}',
      tag,
      summary: 'Delete a testset',
      params: TestsetParams,
      response: Success,
    }),
    async (c) => {
      const { testsetId } = c.req.valid('param');
      if (!(await deps.testsets.delete(c.get('scope'), testsetId))) throw notFound('testset', testsetId);
      return c.json({ success: true as const }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/testsets/{testsetId}/testcases',
      tag,
      summary: 'Add 1–100 testcases',
      params: TestsetParams,
      body: CreateTestcases,
      response: TestcaseList,
      status: 201,
    }),
    async (c) => {
      const scope = c.get('scope');
      const testset = await requireTestset(deps, scope, c.req.valid('param').testsetId);
      const items = c.req.valid('json').items.map((item) => buildTestcase(testset, item.jsonData));
      await deps.testcases.createMany(scope, items);
      return c.json({ items }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/testsets/{testsetId}/testcases',
      tag,
      summary: 'List testcases',
      params: TestsetParams,
      query: ListQuery,
      response: pageOf(Testcase, 'TestcasePage'),
    }),
    async (c) => {
      const scope = c.get('scope');
      const testset = await requireTestset(deps, scope, c.req.valid('param').testsetId);
      const page = await listPage(deps.cursors, `testcases:${testset.id}`, c.req.valid('query'), (request) =>
        deps.testcases.list(scope, testset.id, request),
      );
      return c.json({ ...page, total: testset.numTestcases ?? 0 }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/testcases/{testcaseId}',
      tag,
      summary: 'Get a testcase',
      params: TestcaseParams,
      response: Testcase,
    }),
    async (c) => {
      const { testcaseId } = c.req.valid('param');
      const testcase = await deps.testcases.get(c.get('scope'), testcaseId);
      if (!testcase) throw notFound('testcase', testcaseId);
      return c.json(testcase, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/testcases/{testcaseId}',
      tag,
      summary: 'Replace a testcase',
      params: TestcaseParams,
      body: UpdateTestcase,
      response: Testcase,
    }),
    async (c) => {
      const scope = c.get('scope');
      const { testcaseId } = c.req.valid('param');
      const current = await deps.testcases.get(scope, testcaseId);
      if (!current) throw notFound('testcase', testcaseId);
      const testset = await requireTestset(deps, scope, current.testsetId);
      const testcase = buildTestcase(testset, c.req.valid('json').jsonData, testcaseId);
      await deps.testcases.replace(scope, testcase);
      return c.json(testcase, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/testcases/bulk-delete',
      tag,
      summary: 'Delete testcases',
      body: BulkDeleteTestcases,
      response: Success,
    }),
    async (c) => {
      await deps.testcases.deleteMany(c.get('scope'), c.req.valid('json').ids);
      return c.json({ success: true as const }, 200);
    },
  );

  return app;
}
