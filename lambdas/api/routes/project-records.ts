import { createHash } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { RESPONSE_BUDGET_BYTES } from '../../core/pagination.js';
import { fitRecordsInResponse } from '../../core/records/response-fit.js';
import { resolveFilter, searchRecords } from '../../core/records/search.js';
import { pageOf } from '../../core/schemas/common.js';
import { RecordWithScores } from '../../core/schemas/record.js';
import { type RecordFilter, RecordSearchQuery } from '../../core/schemas/record-search.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { pageRequest, pageResponse } from '../pagination.js';
import { defineRoute } from './define.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });

/** Cursors are bound to the project and the exact filter: replaying one under another filter is a 400. */
export function filterScope(prefix: string, projectId: string, filter: RecordFilter) {
  const canonical = Object.entries(filter)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  const digest = createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
  return `${prefix}:${projectId}:${digest}`;
}

export function projectRecordRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}/records',
      tag: 'Records',
      summary: 'Search the project’s records, newest first, with their scores',
      params: ProjectParams,
      query: RecordSearchQuery,
      response: pageOf(RecordWithScores, 'ProjectRecordPage').meta({
        description:
          'Filters DynamoDB cannot key on (source, metricId/passed, q) are checked within a read budget per ' +
          'request: a page may then hold fewer than `limit` records while `hasMore` is true.',
      }),
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      const { limit, cursor, ...filter } = c.req.valid('query');
      const recordSearch = deps.recordSearch;
      const listScope = filterScope('project-records', projectId, filter);
      const request = { ...pageRequest(deps.cursors, listScope, { limit, cursor }), maxBytes: RESPONSE_BUDGET_BYTES };
      const resolved = await resolveFilter({ ...deps, recordSearch }, scope, projectId, filter);
      const page = await searchRecords({ ...deps, recordSearch }, scope, resolved, request);
      const items = await fitRecordsInResponse(deps, scope, page.items);
      return c.json(pageResponse(deps.cursors, listScope, { ...page, items }), 200);
    },
  );

  return app;
}
