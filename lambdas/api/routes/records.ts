import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { requireRun } from '../../core/deps.js';
import { notFound } from '../../core/errors.js';
import { RESPONSE_BUDGET_BYTES } from '../../core/pagination.js';
import { fitRecordsInResponse, recordFieldLink } from '../../core/records/response-fit.js';
import { ListQuery, pageOf, Success } from '../../core/schemas/common.js';
import {
  CreateRecord,
  LargeFieldLink,
  RecordDocumentField,
  RecordWithScores,
  RunRecord,
  Score,
  UpsertScore,
} from '../../core/schemas/record.js';
import { putScore } from '../../core/services/runs.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { pageRequest, pageResponse } from '../pagination.js';
import { recordIntake } from '../record-intake.js';
import { defineRoute } from './define.js';

const RunParams = z.object({ runId: z.string().min(1).max(64) });
const RecordParams = z.object({ recordId: z.string().min(1).max(64) });
const FieldParams = z.object({ recordId: z.string().min(1).max(64), field: RecordDocumentField });
const ScoreParams = z.object({ recordId: z.string().min(1).max(64), metricConfigId: z.string().min(1).max(64) });
const tag = 'Records';

export function recordRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const postRecord = recordIntake(deps);

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/runs/{runId}/records',
      tag,
      summary: 'Add a record (scoring starts at once)',
      params: RunParams,
      body: CreateRecord,
      response: RunRecord,
      status: 201,
    }),
    async (c) => c.json(await postRecord(c.get('scope'), c.req.valid('param').runId, c.req.valid('json')), 201),
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/runs/{runId}/records',
      tag,
      summary: 'List records with their scores',
      params: RunParams,
      query: ListQuery,
      response: pageOf(RecordWithScores, 'RecordPage'),
    }),
    async (c) => {
      const scope = c.get('scope');
      const run = await requireRun(deps, scope, c.req.valid('param').runId);
      const listScope = `records:${run.id}`;
      // Records come with their overflowed fields merged back: the page must still fit in a Lambda response.
      const request = {
        ...pageRequest(deps.cursors, listScope, c.req.valid('query')),
        maxBytes: RESPONSE_BUDGET_BYTES,
      };
      const page = await deps.records.listByRun(scope, run.id, request, run.metricVersionIds.length);
      // Scores of metric versions the run no longer uses (replaced by a rescore) are history, not results.
      const current = new Set(run.metricVersionIds);
      const items = await fitRecordsInResponse(
        deps,
        scope,
        page.items.map((r) => ({ ...r, scores: r.scores.filter((s) => current.has(s.metricConfigId)) })),
      );
      return c.json({ ...pageResponse(deps.cursors, listScope, { ...page, items }), total: run.numRecords }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/records/{recordId}',
      tag,
      summary: 'Get a record with its scores',
      params: RecordParams,
      response: RecordWithScores,
    }),
    async (c) => {
      const { recordId } = c.req.valid('param');
      const record = await deps.records.get(c.get('scope'), recordId);
      if (!record) throw notFound('record', recordId);
      const [fitted] = await fitRecordsInResponse(deps, c.get('scope'), [record]);
      return c.json(fitted!, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/records/{recordId}/fields/{field}',
      tag,
      summary: 'A link to a record field too large for a response (see omittedFields)',
      params: FieldParams,
      response: LargeFieldLink,
    }),
    async (c) => {
      const { recordId, field } = c.req.valid('param');
      return c.json(await recordFieldLink(deps, c.get('scope'), recordId, field), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/records/{recordId}',
      tag,
      summary: 'Delete a record and its scores',
      params: RecordParams,
      response: Success,
    }),
    async (c) => {
      const { recordId } = c.req.valid('param');
      if (!(await deps.records.delete(c.get('scope'), recordId))) throw notFound('record', recordId);
      return c.json({ success: true as const }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/records/{recordId}/scores/{metricConfigId}',
      tag,
      summary: 'Create or replace a score',
      params: ScoreParams,
      body: UpsertScore,
      response: Score,
    }),
    async (c) => {
      const { recordId, metricConfigId } = c.req.valid('param');
      return c.json(await putScore(deps, c.get('scope'), recordId, metricConfigId, c.req.valid('json').score), 200);
    },
  );

  return app;
}
