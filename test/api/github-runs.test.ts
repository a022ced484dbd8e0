import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GithubWorkflowDispatcher } from '../../lambdas/adapters/github/workflow-dispatcher.js';
import { githubNotConfigured, WorkflowDispatchError } from '../../lambdas/core/github/ports.js';
import { createMetric, EXACT_METRIC, seedTestset } from '../pipeline/support.js';
import { waitForExport } from '../support/exports.js';
import {
  type ApiClient,
  type ApiResponse,
  apiClient,
  collectPages,
  fieldPaths,
  startTestStack,
  tempDataDir,
  waitForRun,
} from '../support/stack.js';

/**
 * GitHub-triggered runs against our own fake of GitHub's REST API on 127.0.0.1: the connection keeps its token
 * as a secret, a run with execution "github" dispatches the workflow once with the right path, headers, ref and
 * inputs, a refused dispatch fails the run with GitHub's reason, and `verdict run --run-id` (what the workflow
 * runs) fills and finishes the run. The token shows up in no response, log line, CLI output or export.
 */
const TOKEN = 'github_pat_11VERDICTTEST0SECRET0TOKEN0abcdef';
const BIN = resolve(import.meta.dirname, '../../sdk/bin/verdict.mjs');

interface Dispatch {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

let github: Server;
let githubUrl: string;
const dispatches: Dispatch[] = [];
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
const logs: string[] = [];
const seen: string[] = [];
const work = tempDataDir('verdict-github-');
const restore: Array<() => void> = [];

/** Everything the API answers passes through here, so the token check covers every response. */
async function recorded<T>(response: Promise<ApiResponse<T>>) {
  const res = await response;
  seen.push(JSON.stringify(res.body), JSON.stringify([...res.headers]));
  return res;
}

/** Spawns the real CLI as the workflow's step would, with the address GitHub was handed. */
function verdict(apiUrl: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: work, env: { ...process.env, VERDICT_API_URL: apiUrl, VERDICT_API_KEY: stack.apiKey } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  // Every line this process writes (the API's Powertools logs included) is kept for the token check.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      logs.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = write;
    });
  }
  // The fake GitHub: 204 for acme/bot, 404 for an unknown repository, 401 for a wrong token.
  github = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      dispatches.push({ method: req.method!, path: req.url!, headers: req.headers, body: JSON.parse(text || 'null') });
      const reply = (status: number, body?: unknown) => {
        res.writeHead(status, body ? { 'content-type': 'application/json; charset=utf-8' } : {});
        res.end(body ? JSON.stringify(body) : undefined);
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(401, { message: 'Bad credentials' });
      if (req.url === '/repos/acme/bot/actions/workflows/verdict.yml/dispatches') return reply(204);
      return reply(404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event',
      });
    });
  });
  await new Promise<void>((ready) => github.listen(0, '127.0.0.1', ready));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
  stack = await startTestStack({ githubApiUrl: githubUrl, log: (line) => logs.push(line) });
  api = apiClient(stack.url, stack.apiKey);
  // The team's system, as it would sit in their repository: right on testcases below 3.
  writeFileSync(
    join(work, 'system.ts'),
    `export default async function answer(inputs: { question: string }): Promise<string> {
       const n: number = Number(/(\\d+)$/.exec(inputs.question)?.[1]);
       return n < 3 ? \`answer-\${n}\` : 'no idea';
     }\n`,
  );
});
afterAll(async () => {
  for (const undo of restore) undo();
  await stack?.stop();
  await new Promise((done) => github?.close(done));
  rmSync(work, { recursive: true, force: true });
});

async function connectedProject(connection: Record<string, unknown>, n = 5) {
  const { projectId, testsetId } = await seedTestset(api, n);
  const metric = await createMetric(api, projectId, EXACT_METRIC);
  const put = await recorded(
    api.put(`/projects/${projectId}/github`, { workflow: 'verdict.yml', ref: 'main', token: TOKEN, ...connection }),
  );
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  return { projectId, testsetId, metric };
}

describe('GitHub-triggered runs', () => {
  it('keeps the connection’s token write-only, and names bad fields', async () => {
    const { projectId } = await connectedProject({ owner: 'acme', repo: 'bot' });

    const got = await recorded(api.get(`/projects/${projectId}/github`));
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      projectId,
      owner: 'acme',
      repo: 'bot',
      workflow: 'verdict.yml',
      ref: 'main',
      tokenSet: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // Not a project secret a template could name, nor listed among them.
    const secrets = await recorded(api.get(`/projects/${projectId}/secrets`));
    expect(secrets.body.data).toEqual([]);
    const bad = await recorded(
      api.put(`/projects/${projectId}/github`, { owner: 'no/slash', repo: 'bot', workflow: 'x.txt', token: '' }),
    );
    expect(bad.status).toBe(400);
    expect(fieldPaths(bad.body).sort()).toEqual(['owner', 'token', 'workflow']);
    const unconnected = await seedTestset(api, 1);
    // No connection has a code of its own (the SDK's github.get answers null for it); no project stays not_found.
    const none = await recorded(api.get(`/projects/${unconnected.projectId}/github`));
    expect([none.status, none.body.code]).toEqual([404, 'github_not_connected']);
    const noProject = await recorded(api.get('/projects/01nosuchproject000000000000/github'));
    expect([noProject.status, noProject.body.code]).toEqual([404, 'not_found']);
    const refused = await recorded(
      api.post(`/projects/${unconnected.projectId}/runs`, {
        execution: 'github',
        testsetId: unconnected.testsetId,
        metricIds: [],
      }),
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('github_not_connected');
    const noTestset = await recorded(api.post(`/projects/${projectId}/runs`, { execution: 'github', metricIds: [] }));
    expect(noTestset.status).toBe(400);
    expect(fieldPaths(noTestset.body)).toEqual(['testsetId']);
  });

  it('dispatches the workflow once, and `verdict run --run-id` fills and completes the run', async () => {
    // Prepare
    const { projectId, testsetId, metric } = await connectedProject({ owner: 'acme', repo: 'bot' });
    const before = dispatches.length;

    // Act: the Kickoff modal's GitHub tab
    const created = await recorded(
      api.post(`/projects/${projectId}/runs`, { execution: 'github', testsetId, metricIds: [metric.id] }),
    );

    // Assess: the run, and exactly one dispatch as GitHub documents it
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const run = created.body;
    expect(run).toMatchObject({ source: 'kickoff', testsetId, numExpectedRecords: 5, status: 'pending' });
    const version = await recorded(api.get(`/systems/versions/${run.systemVersionId}`));
    expect(version.body.config).toMatchObject({ type: 'external', github: { owner: 'acme', repo: 'bot' } });
    expect(dispatches.slice(before)).toHaveLength(1);
    const dispatch = dispatches.at(-1)!;
    expect(dispatch).toMatchObject({
      method: 'POST',
      path: '/repos/acme/bot/actions/workflows/verdict.yml/dispatches',
      body: { ref: 'main', inputs: { verdict_run_id: run.id, verdict_api_url: stack.url } },
    });
    expect(dispatch.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(dispatch.headers.accept).toBe('application/vnd.github+json');

    // Act: what the workflow then runs, with the inputs it was given
    const cli = await verdict(
      dispatch.body.inputs.verdict_api_url,
      ...['run', '--run-id', dispatch.body.inputs.verdict_run_id, '--module', 'system.ts'],
      ...['--fail-under', '0.5', '--json', '--poll-ms', '100'],
    );
    seen.push(cli.stdout, cli.stderr);

    // Assess: every testcase recorded, the run finished and gated
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ passed: true, run: { id: run.id, status: 'completed' } });
    const done = await waitForRun(api, run.id);
    expect(done).toMatchObject({ status: 'completed', numRecords: 5, closedBy: 'client' });
    expect(done.aggregates[metric.versionId]).toMatchObject({ n: 5, passed: 3, failed: 2 });
    const records = await collectPages<any>(api, `/runs/${run.id}/records`);
    const testcases = await collectPages<any>(api, `/testsets/${testsetId}/testcases`);
    expect(records.map((r) => r.testcaseId).sort()).toEqual(testcases.map((t) => t.id).sort());
    seen.push(JSON.stringify(records));

    // The export of the run carries no token either.
    const accepted = await recorded(api.post(`/runs/${run.id}/exports`, {}));
    expect(accepted.status).toBe(202);
    const exported = await recorded(waitForExport(api, accepted.body.id));
    expect(exported.body.status).toBe('completed');
    const csv = await (await fetch(exported.body.url)).text();
    expect(csv.split(/\r?\n/).filter(Boolean)).toHaveLength(6);
    seen.push(csv);
  });

  it.each([
    [
      'an unknown repository (404)',
      { owner: 'acme', repo: 'missing' },
      /GitHub answered 404 Not Found.*no such repository or workflow file/,
    ],
    [
      'a refused token (401)',
      { owner: 'acme', repo: 'bot', token: 'ghp_expired' },
      /GitHub answered 401 Bad credentials/,
    ],
  ])('fails the run when GitHub refuses the dispatch: %s', async (_case, connection, reason) => {
    const { projectId, testsetId, metric } = await connectedProject(connection);

    const created = await recorded(
      api.post(`/projects/${projectId}/runs`, { execution: 'github', testsetId, metricIds: [metric.id] }),
    );

    expect(created.status).toBe(201);
    expect(created.body.status).toBe('failed');
    expect(created.body.statusReason).toMatch(/GitHub did not start workflow acme\/\S+ verdict\.yml@main/);
    expect(created.body.statusReason).toMatch(reason);
    expect(created.body.failureReason).toMatch(reason);
  });

  it('runs a GitHub run again by starting its workflow again for a new run', async () => {
    const { projectId, testsetId, metric } = await connectedProject({ owner: 'acme', repo: 'bot' });
    const first = await recorded(
      api.post(`/projects/${projectId}/runs`, {
        execution: 'github',
        testsetId,
        metricIds: [metric.id],
        name: 'Nightly',
      }),
    );
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const before = dispatches.length;

    const again = await recorded(api.post(`/runs/${first.body.id}/rerun`, {}));

    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body).toMatchObject({
      name: 'Nightly (rerun)',
      rerunOf: first.body.id,
      source: 'kickoff',
      testsetId,
      metricIds: [metric.id],
      systemVersionId: first.body.systemVersionId,
      status: 'pending',
    });
    expect(again.body.id).not.toBe(first.body.id);
    expect(dispatches.slice(before)).toHaveLength(1);
    expect(dispatches.at(-1)!.body.inputs.verdict_run_id).toBe(again.body.id);
  });

  it('answers a clear 409 where the deployment has no GitHub configured', async () => {
    const { projectId, testsetId } = await seedTestset(api, 1);
    const configured = stack.deps.github;
    stack.deps.github = githubNotConfigured('no secret store in this test');
    try {
      const put = await recorded(
        api.put(`/projects/${projectId}/github`, { owner: 'acme', repo: 'bot', workflow: 'verdict.yml', token: TOKEN }),
      );
      expect(put.status).toBe(409);
      expect(put.body).toMatchObject({ code: 'github_not_configured' });
      expect(put.body.message).toContain('no secret store in this test');
      const run = await recorded(
        api.post(`/projects/${projectId}/runs`, { execution: 'github', testsetId, metricIds: [] }),
      );
      expect(run.status).toBe(409);
      expect(run.body.code).toBe('github_not_configured');
    } finally {
      stack.deps.github = configured;
    }
  });

  it('leaves the token in no response, log line, CLI output or export', () => {
    // Runs last: everything the tests above saw and wrote.
    expect(seen.length).toBeGreaterThan(10);
    expect(logs.length).toBeGreaterThan(0);
    expect(seen.filter((text) => text.includes(TOKEN))).toEqual([]);
    expect(logs.filter((line) => line.includes(TOKEN))).toEqual([]);
    // The one place it must be: the Authorization header GitHub received.
    expect(dispatches.some((d) => d.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });
});

describe('the workflow dispatcher', () => {
  it('turns an unreachable GitHub API into a WorkflowDispatchError naming the address, not the token', async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, '127.0.0.1', ready));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    const dispatcher = new GithubWorkflowDispatcher(`http://127.0.0.1:${port}/`);

    const error = await dispatcher
      .dispatch({ owner: 'acme', repo: 'bot', workflow: 'verdict.yml', ref: 'main', token: TOKEN, inputs: {} })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorkflowDispatchError);
    expect((error as Error).message).toMatch(new RegExp(`could not reach the GitHub API at http://127.0.0.1:${port}`));
    expect((error as Error).message).not.toContain(TOKEN);
  });
});
