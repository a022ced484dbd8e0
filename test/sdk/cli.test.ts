import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import xml from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetric, createSystemVersion } from '../pipeline/support.js';
import { tempDataDir } from '../support/stack.js';
import { caseNumber, startSdkStack } from './support.js';

const BIN = resolve(import.meta.dirname, '../../sdk/bin/verdict.mjs');
const work = tempDataDir('verdict-cli-');

let env: Awaited<ReturnType<typeof startSdkStack>>;
let projectId: string;
let testsetId: string;
let exact: string;
let similar: string;
let baselineRunId: string;
/** The hosted system: an HTTP endpoint that answers testcase n correctly when n < `correctBelow` of its path. */
let answers: Server;
let answersUrl: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns the real bin with node, as `npx verdict` would, against the test stack. */
function verdict(...args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: work, env: { ...process.env, VERDICT_API_URL: env.stack.url, VERDICT_API_KEY: env.stack.apiKey } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const junit = (file: string) => {
  const text = readFileSync(join(work, file), 'utf8');
  expect(xml.validate(text)).toBe(true);
  const doc = xml.parse(text, { ignoreAttributes: false, attributeNamePrefix: '' });
  const cases = [doc.testsuites.testsuite.testcase].flat();
  return { suite: doc.testsuites.testsuite, cases };
};

const hosted = (correctBelow: number) =>
  createSystemVersion(env.api, projectId, `bot-${correctBelow}`, {
    type: 'http',
    url: `${answersUrl}/${correctBelow}`,
    body: '{"q": {{ question | dump }}}',
    outputPath: '$.answer',
  });

const moduleRun = (...extra: string[]) =>
  verdict(
    'run',
    ...['--module', 'system.ts', '--export', 'mostlyRight', '--project', projectId, '--testset', testsetId],
    ...['--metrics', `${exact},${similar}`, '--poll-ms', '100', ...extra],
  );

beforeAll(async () => {
  env = await startSdkStack();
  answers = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const n = caseNumber({ question: JSON.parse(body).q });
      const ok = n < Number(req.url!.slice(1));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ answer: ok ? `answer-${n}` : 'no idea' }));
    });
  });
  await new Promise<void>((ready) => answers.listen(0, '127.0.0.1', ready));
  answersUrl = `http://127.0.0.1:${(answers.address() as AddressInfo).port}`;

  ({ projectId, testsetId, metricId: exact } = await env.seed(20));
  similar = (
    await createMetric(env.api, projectId, {
      name: 'Similar answer',
      evalType: 'heuristic',
      outputType: 'float',
      passingThreshold: 0.8,
      heuristic: { kind: 'levenshtein', expectedField: 'answer' },
    })
  ).id;
  // 16 of 20 exactly right; the other 4 one character off, so only the exact metric fails them.
  writeFileSync(
    join(work, 'system.ts'),
    `export async function mostlyRight(inputs: { question: string }): Promise<string> {
       const n: number = Number(/(\\d+)$/.exec(inputs.question)?.[1]);
       return n < 16 ? \`answer-\${n}\` : \`answer-\${n}!\`;
     }\n`,
  );
});
afterAll(async () => {
  await env?.stack.stop();
  await new Promise((done) => answers?.close(done));
  rmSync(work, { recursive: true, force: true });
});

describe('the verdict CLI', () => {
  it('runs a local TypeScript module and passes a --fail-under it meets: exit 0, JSON and a clean JUnit file', async () => {
    const result = await moduleRun('--fail-under', '0.75', '--json', '--junit', 'pass.xml');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    baselineRunId = summary.run.id;
    expect(summary).toMatchObject({ passed: true, run: { status: 'completed', numRecords: 20 } });
    expect(summary.metrics).toMatchObject([
      { name: 'Exact answer', passRate: 0.8, n: 20, errored: 0, failures: [] },
      { name: 'Similar answer', passRate: 1, n: 20, failures: [] },
    ]);
    const { suite, cases } = junit('pass.xml');
    expect(suite).toMatchObject({ tests: '2', failures: '0' });
    expect(cases.map((c: any) => c.name)).toEqual(['Exact answer', 'Similar answer']);
    expect(cases.every((c: any) => c.failure === undefined)).toBe(true);
  });

  it('fails the metric under --fail-under: exit 1, a table naming it, and a JUnit failure on that metric alone', async () => {
    const result = await moduleRun('--fail-under', '0.85', '--junit', 'fail.xml');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Exact answer\s+80\.0%.*FAIL/);
    expect(result.stdout).toMatch(/Similar answer\s+100\.0%.*ok/);
    expect(result.stdout).toContain('pass rate 80.0% is under --fail-under 85.0%');
    expect(result.stderr).toBe(''); // not a TTY: no progress bar
    const { suite, cases } = junit('fail.xml');
    expect(suite).toMatchObject({ tests: '2', failures: '1' });
    expect(cases[0].failure.message).toContain('under --fail-under 85.0%');
    expect(cases[1].failure).toBeUndefined();
  });

  it('gates a hosted run on a baseline: a real drop fails, a one-testcase drop passes --gate ci but not a tight --max-regression', async () => {
    const [worse, slightly] = await Promise.all([hosted(8), hosted(15)]);
    const hostedRun = (version: string, ...gate: string[]) =>
      verdict(
        ...['run', '--project', projectId, '--testset', testsetId, '--system-version', version],
        ...['--metrics', exact, '--baseline', baselineRunId, '--poll-ms', '100', '--json', ...gate],
      );
    const [real, small, tight] = await Promise.all([
      hostedRun(worse),
      hostedRun(slightly, '--gate', 'ci'),
      hostedRun(slightly, '--gate', 'point', '--max-regression', '0.01'),
    ]);

    expect(real.code).toBe(1);
    const realMetric = JSON.parse(real.stdout).metrics[0];
    expect(realMetric.comparison).toMatchObject({ change: 'regression', numRegressions: 8, n: 20 });
    expect(realMetric.comparison.difference).toBeCloseTo(-0.4);
    expect(realMetric.failures[0]).toMatch(/excludes 0/);

    expect(small.code).toBe(0);
    expect(JSON.parse(small.stdout).metrics[0].comparison).toMatchObject({ change: 'none', numRegressions: 1 });

    expect(tight.code).toBe(1);
    expect(JSON.parse(tight.stdout).metrics[0].failures[0]).toMatch(
      /pass rate fell 5\.0 points vs the baseline, more than --max-regression \(1\.0 points\)/,
    );
  });

  it('never passes on nothing: errored scores fail the gate, and so does a baseline without usable scores', async () => {
    // No LLM is configured in the test stack, so every score of an AI metric errors.
    const judge = await createMetric(env.api, projectId, {
      name: 'Judge',
      evalType: 'ai',
      outputType: 'boolean',
      promptTemplate: 'Is {{ outputs.response }} right? Answer {"score": true|false, "reasoning": "..."}',
    });
    const noGate = await moduleRun('--metrics', `${exact},${judge.id}`, '--junit', 'errored.xml');
    expect(noGate.code).toBe(1);
    expect(noGate.stdout).toMatch(/Judge\s+–\s+0\s+20\s+100\.0%\s+ERROR/);
    expect(noGate.stdout).toMatch(/Exact answer\s+80\.0%\s+20\s+0\s+0\.0%\s+ok/);
    expect(noGate.stdout).toContain('Judge: 20 of 20 records errored (100.0%), over --max-error-rate 0.0%');
    expect(noGate.stdout).not.toMatch(/^PASSED/m);
    const { suite, cases } = junit('errored.xml');
    expect(suite).toMatchObject({ tests: '2', failures: '0', errors: '1' });
    expect(cases[1].error.message).toContain('20 of 20 records errored');
    expect(cases[1].failure).toBeUndefined();
    expect(cases[0].error).toBeUndefined();

    const erroredRunId = /Run (\S+):/.exec(noGate.stdout)![1]!;
    const tolerant = await moduleRun(
      ...['--metrics', judge.id, '--baseline', erroredRunId, '--max-error-rate', '1', '--json'],
    );
    expect(tolerant.code).toBe(1);
    const metric = JSON.parse(tolerant.stdout).metrics[0];
    expect(metric.comparison).toMatchObject({ baseline: null, change: 'none' });
    expect(metric.errors[0]).toMatch(/comparison has no data/);
  });

  it('lists runs as JSON, newest first', async () => {
    const result = await verdict('runs', 'list', '--project', projectId, '--json');
    expect(result.code).toBe(0);
    const runs = JSON.parse(result.stdout);
    expect(runs.length).toBe(7);
    expect(runs.at(-1).id).toBe(baselineRunId);
    expect(runs.every((r: any) => r.projectId === projectId)).toBe(true);
  });

  it('downloads a run export as CSV', async (ctx) => {
    const probe = await env.api.post(`/runs/${baselineRunId}/exports`, {});
    if (probe.status === 404 && /no route/.test(probe.body?.message ?? '')) {
      ctx.skip(
        'POST /runs/{id}/exports is not in the API yet (issue 5 builds it); verdict export is coded against {url, expiresAt, rows}',
      );
    }
    const result = await verdict('export', baselineRunId, '--out', 'run.csv', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: 20 });
    const csv = readFileSync(join(work, 'run.csv'), 'utf8').replace(/^\uFEFF/, '');
    expect(csv.trim().split(/\r?\n/).length).toBeGreaterThanOrEqual(21);
  });

  it('creates and revokes API keys in a local data dir through `npm run keys`, and says there is no keys HTTP API', async () => {
    const dataDir = join(work, 'keys-data');
    const created = await verdict('keys', 'create', '--name', 'ci', '--data-dir', dataDir, '--json');
    expect(created.code, created.stderr).toBe(0);
    const { keyId, secret } = JSON.parse(created.stdout);
    expect(secret).toMatch(/^vk_/);
    // `revoked` (not "no key") proves the create landed in the same store; the keys-cli suite covers the auth side.
    const revoked = await verdict('keys', 'revoke', keyId, '--data-dir', dataDir);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${keyId}\n` });

    const noStore = await verdict('keys', 'create');
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toMatch(/not managed over HTTP/);
    expect(existsSync(join(work, '.verdict'))).toBe(false);
    expect((await verdict('--help')).stdout).toMatch(/There is no keys HTTP API/);
  });

  it('exits 2 with the reason on usage and API errors', async () => {
    const [missing, unknown] = await Promise.all([
      verdict('run', '--project', projectId, '--metrics', exact),
      verdict('run', '--project', projectId, '--testset', 'nope', '--system-version', 'nope', '--metrics', exact),
    ]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('--testset is required') });
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('404 not_found') });
  });
});
