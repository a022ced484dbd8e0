import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { type ExportDeps, exportLink, exportRecords, exportRun } from '../../core/exports/create-export.js';
import { CreateRecordsExport, CreateRunExport, Export, ExportLinkQuery } from '../../core/schemas/export.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { defineRoute } from './define.js';

const tag = 'Exports';

/** CSV exports: written to object storage in one streaming pass, read through presigned links. */
export function exportRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const exportDeps = (): ExportDeps => ({
    ...deps,
    recordSearch: deps.recordSearch,
    exports: deps.exports,
    exportFiles: deps.exportFiles,
  });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/runs/{runId}/exports',
      tag,
      summary: 'Export every record and score of a run as CSV; answers with a presigned download link',
      params: z.object({ runId: z.string().min(1).max(64) }),
      body: CreateRunExport,
      response: Export,
      status: 201,
    }),
    async (c) => {
      const { runId } = c.req.valid('param');
      const body = c.req.valid('json');
      return c.json(await exportRun(exportDeps(), c.get('scope'), runId, body.expiresIn), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects/{projectId}/records/exports',
      tag,
      summary: 'Export the project’s records matching the records-page filters as CSV',
      params: z.object({ projectId: z.string().min(1).max(64) }),
      body: CreateRecordsExport,
      response: Export,
      status: 201,
    }),
    async (c) => {
      const { projectId } = c.req.valid('param');
      const { expiresIn, ...filter } = c.req.valid('json');
      return c.json(await exportRecords(exportDeps(), c.get('scope'), projectId, filter, expiresIn), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/exports/{exportId}',
      tag,
      summary: 'A fresh download link for an export that has not expired',
      params: z.object({ exportId: z.string().min(1).max(64) }),
      query: ExportLinkQuery,
      response: Export,
    }),
    async (c) => {
      const { exportId } = c.req.valid('param');
      const { expiresIn } = c.req.valid('query');
      return c.json(await exportLink(exportDeps(), c.get('scope'), exportId, expiresIn), 200);
    },
  );

  return app;
}
