import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import type { ExportDeps } from '../../core/exports/create-export.js';
import { type ExportJobDeps, requestRecordsExport, requestRunExport, showExport } from '../../core/exports/jobs.js';
import { CreateRecordsExport, CreateRunExport, Export, ExportLinkQuery } from '../../core/schemas/export.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { defineRoute } from './define.js';

const tag = 'Exports';

/**
 * CSV exports, asynchronous: a POST stores a pending export and queues it (202); the export worker writes the
 * file; GET /exports/{id} follows it to `completed` (with a presigned link) or `failed` (with the reason).
 */
export function exportRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const exportDeps = (): ExportDeps => ({
    ...deps,
    recordSearch: deps.recordSearch,
    exports: deps.exports,
    exportFiles: deps.exportFiles,
  });
  const jobDeps = (): ExportJobDeps => ({ ...exportDeps(), exportQueue: deps.exportQueue });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/runs/{runId}/exports',
      tag,
      summary:
        'Export every record and score of a run as CSV: answers 202 with a pending export; GET /exports/{id} follows it',
      params: z.object({ runId: z.string().min(1).max(64) }),
      body: CreateRunExport,
      response: Export,
      status: 202,
    }),
    async (c) => {
      const { runId } = c.req.valid('param');
      const body = c.req.valid('json');
      return c.json(await requestRunExport(jobDeps(), c.get('scope'), runId, body.expiresIn), 202);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects/{projectId}/records/exports',
      tag,
      summary: 'Export the project’s records matching the records-page filters as CSV (202, as run exports)',
      params: z.object({ projectId: z.string().min(1).max(64) }),
      body: CreateRecordsExport,
      response: Export,
      status: 202,
    }),
    async (c) => {
      const { projectId } = c.req.valid('param');
      const { expiresIn, ...filter } = c.req.valid('json');
      return c.json(await requestRecordsExport(jobDeps(), c.get('scope'), projectId, filter, expiresIn), 202);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/exports/{exportId}',
      tag,
      summary: 'An export’s status: pending, running (rows so far), completed (a fresh download link) or failed',
      params: z.object({ exportId: z.string().min(1).max(64) }),
      query: ExportLinkQuery,
      response: Export,
    }),
    async (c) => {
      const { exportId } = c.req.valid('param');
      const { expiresIn } = c.req.valid('query');
      return c.json(await showExport(exportDeps(), c.get('scope'), exportId, expiresIn), 200);
    },
  );

  return app;
}
