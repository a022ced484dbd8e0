import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { requireProject, requireRun } from '../../core/deps.js';
import { rerunOnGithub, startGithubRun } from '../../core/github/runs.js';
import type { Scope } from '../../core/ports.js';
import { finishRun } from '../../core/runs/close.js';
import {
  cancelRun,
  createRun,
  isExecutedRun,
  prepareRescore,
  rerun,
  scoringHistory,
} from '../../core/runs/lifecycle.js';
import { presentRun } from '../../core/runs/status.js';
import { ListQuery, pageOf } from '../../core/schemas/common.js';
import { CreateRun, RescoreRun, Run, RunSource, ScoringGeneration, UpdateRun } from '../../core/schemas/run.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { validationHook } from '../errors.js';
import { listPage } from '../pagination.js';
import { defineRoute } from './define.js';

const ProjectParams = z.object({ projectId: z.string().min(1).max(64) });
const RunParams = z.object({ runId: z.string().min(1).max(64) });
const RunListQuery = ListQuery.extend({ source: RunSource.optional() });
const tag = 'Runs';

export function runRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/projects/{projectId}/runs',
      tag,
      summary: 'Create (and start) a run',
      params: ProjectParams,
      body: CreateRun,
      response: Run,
      status: 201,
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      const input = c.req.valid('json');
      if (input.execution === 'github') {
        return c.json(await startGithubRun(deps, scope, projectId, input, new URL(c.req.url).origin), 201);
      }
      const run = await createRun(deps, scope, projectId, input);
      return c.json(await launch(deps, scope, run), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/projects/{projectId}/runs',
      tag,
      summary: 'List runs, newest first',
      params: ProjectParams,
      query: RunListQuery,
      response: pageOf(Run, 'RunPage'),
    }),
    async (c) => {
      const scope = c.get('scope');
      const { projectId } = c.req.valid('param');
      const query = c.req.valid('query');
      await requireProject(deps, scope, projectId);
      const page = await listPage(deps.cursors, `runs:${projectId}:${query.source ?? '*'}`, query, (request) =>
        deps.runs.list(scope, projectId, request, { source: query.source }),
      );
      return c.json({ ...page, data: page.data.map(presentRun) }, 200);
    },
  );

  app.openapi(
    defineRoute({ method: 'get', path: '/runs/{runId}', tag, summary: 'Get a run', params: RunParams, response: Run }),
    async (c) => c.json(presentRun(await requireRun(deps, c.get('scope'), c.req.valid('param').runId)), 200),
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/runs/{runId}',
      tag,
      summary: 'Edit run notes or name; {status: "awaiting_scoring"} (Scorecard’s) finishes the run',
      params: RunParams,
      body: UpdateRun,
      response: Run,
    }),
    async (c) => {
      const scope = c.get('scope');
      const { runId } = c.req.valid('param');
      const { status, ...edits } = c.req.valid('json');
      await requireRun(deps, scope, runId);
      const run = await deps.runs.update(scope, runId, edits);
      if (status === 'awaiting_scoring') return c.json(await finishRun(deps, scope, runId), 200);
      return c.json(presentRun(run ?? (await requireRun(deps, scope, runId))), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/runs/{runId}/finish',
      tag,
      summary:
        'No more records: close a run fed through the API, which then scores, waits for people or completes as ' +
        'its counters say; later records get a 409',
      params: RunParams,
      response: Run,
    }),
    async (c) => c.json(await finishRun(deps, c.get('scope'), c.req.valid('param').runId), 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/runs/{runId}/cancel',
      tag,
      summary: 'Cancel a run: no new records are executed or scored',
      params: RunParams,
      response: Run,
    }),
    async (c) => c.json(presentRun(await cancelRun(deps, c.get('scope'), c.req.valid('param').runId)), 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/runs/{runId}/rescore',
      tag,
      summary:
        'Re-judge the named metrics of a finished run (latest versions; new ones join), without re-executing; ' +
        'the other metrics keep their scores and the replaced pass stays in /runs/{runId}/scoring-history',
      params: RunParams,
      body: RescoreRun,
      response: Run,
    }),
    async (c) => {
      const scope = c.get('scope');
      const run = await prepareRescore(
        deps,
        scope,
        c.req.valid('param').runId,
        c.req.valid('json').metricIds,
        deps.llm,
      );
      await deps.launcher.start(scope, run.id, 'rescore');
      return c.json(run, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/runs/{runId}/scoring-history',
      tag,
      summary: 'Every scoring pass of a run, oldest first: what each rescore replaced, and the current pass last',
      params: RunParams,
      response: z.object({ generations: z.array(ScoringGeneration) }).meta({ id: 'ScoringHistory' }),
    }),
    async (c) => c.json({ generations: await scoringHistory(deps, c.get('scope'), c.req.valid('param').runId) }, 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/runs/{runId}/rerun',
      tag,
      summary:
        'Start a new run with the same testset, system version and metrics (a GitHub-run one starts its workflow again)',
      params: RunParams,
      response: Run,
      status: 201,
    }),
    async (c) => {
      const scope = c.get('scope');
      const run = await requireRun(deps, scope, c.req.valid('param').runId);
      const onGithub = await rerunOnGithub(deps, scope, run, new URL(c.req.url).origin);
      return c.json(onGithub ?? (await launch(deps, scope, await rerun(deps, scope, run))), 201);
    },
  );

  return app;
}

/** Starts the pipeline for runs it executes; SDK/external runs wait for their records to be posted. */
async function launch(deps: ApiDeps, scope: Scope, run: Run) {
  if (await isExecutedRun(deps, scope, run)) await deps.launcher.start(scope, run.id, 'execute');
  return presentRun((await deps.runs.get(scope, run.id)) ?? run);
}
