process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { ensureWebBuild } from '../local/web-build.js';
import { apiClient, collectPages, tempDataDir } from '../test/support/stack.js';
import { recordFigure } from './results.js';
import { fmt } from './support.js';

/**
 * Load: CLIENTS concurrent clients for SECONDS against `npm start` (its own process, so its RSS is its own) on
 * a mix of reads and writes: posting records, upserting scores, creating projects, reading a run, its records
 * page and the project-wide search. Zero 5xx is the target; p50/p99 per route, the stack's RSS before, at its
 * peak (VmHWM) and after; then every record and project a 2xx said was written is read back and counted.
 */
const CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);

function rssOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function startStack(dataDir: string): Promise<{ url: string; key: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: { ...process.env, PORT: '0', VERDICT_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /Verdict is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${out}`)));
  });
  return { url, key: readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim(), child };
}

interface Route {
  name: string;
  /** Share of the clients. */
  clients: number;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: string;
}

export async function main() {
  await ensureWebBuild();
  const dataDir = tempDataDir('verdict-bench-load-');
  const { url, key, child } = await startStack(dataDir);
  try {
    const api = apiClient(url, key);
    const project = (await api.post('/projects', { name: 'load' })).body;
    const metric = (
      await api.post(`/projects/${project.id}/metrics`, { name: 'review', evalType: 'human', outputType: 'boolean' })
    ).body;
    const run = (await api.post(`/projects/${project.id}/runs`, { metricIds: [metric.id] })).body;
    const seeded = (await api.post(`/runs/${run.id}/records`, { outputs: { response: 'seed' } })).body;
    const before = rssOf(child.pid!);

    const routes: Route[] = [
      {
        name: 'POST /runs/{id}/records',
        clients: 0.3,
        method: 'POST',
        path: `/runs/${run.id}/records`,
        body: JSON.stringify({ inputs: { q: 'what?' }, outputs: { response: 'an answer' }, latencyMs: 12 }),
      },
      {
        name: 'PUT /records/{id}/scores/{m}',
        clients: 0.1,
        method: 'PUT',
        path: `/records/${seeded.id}/scores/${metric.versionId}`,
        body: JSON.stringify({ score: { binaryScore: true, reasoning: 'ok' } }),
      },
      { name: 'POST /projects', clients: 0.1, method: 'POST', path: '/projects', body: '{"name":"load"}' },
      { name: 'GET /runs/{id}', clients: 0.15, method: 'GET', path: `/runs/${run.id}` },
      { name: 'GET /runs/{id}/records', clients: 0.2, method: 'GET', path: `/runs/${run.id}/records?limit=100` },
      {
        name: 'GET /projects/{id}/records',
        clients: 0.15,
        method: 'GET',
        path: `/projects/${project.id}/records?limit=50`,
      },
    ];
    let peakSampler = before.peakMb;
    const sampler = setInterval(() => {
      peakSampler = Math.max(peakSampler, rssOf(child.pid!).rssMb);
    }, 500);
    const results = await Promise.all(
      routes.map((route) =>
        autocannon({
          url: `${url}/api/v2${route.path}`,
          method: route.method,
          body: route.body,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          connections: Math.max(1, Math.round(CLIENTS * route.clients)),
          duration: SECONDS,
        }),
      ),
    );
    clearInterval(sampler);
    const during = rssOf(child.pid!);

    console.log(`${CLIENTS} clients × ${SECONDS} s against npm start (its own process):`);
    console.log('| route | clients | requests | req/s | p50 ms | p99 ms | 2xx | 4xx | 5xx | errors |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    let fiveXx = 0;
    results.forEach((r, i) => {
      const route = routes[i]!;
      fiveXx += r['5xx'] + r.errors + r.timeouts;
      console.log(
        `| ${route.name} | ${r.connections} | ${r.requests.total} | ${fmt(r.requests.average, 0)} | ${r.latency.p50} | ` +
          `${r.latency.p99} | ${r['2xx']} | ${r['4xx']} | ${r['5xx']} | ${r.errors + r.timeouts} |`,
      );
      recordFigure('load', `${route.name} p50`, r.latency.p50, 'ms');
      recordFigure('load', `${route.name} p99`, r.latency.p99, 'ms');
      recordFigure('load', `${route.name} req/s`, r.requests.average, '/s');
    });

    // Every write a 2xx acknowledged is there to read.
    const postedRecords = results[0]!['2xx'];
    const postedProjects = results[2]!['2xx'];
    const readBack = await collectPages<{ id: string }>(api, `/runs/${run.id}/records`);
    const runNow = (await api.get(`/runs/${run.id}`)).body;
    const projects = await collectPages<{ id: string; name: string }>(api, '/projects');
    const loadProjects = projects.filter((p) => p.name === 'load').length - 1;
    const after = rssOf(child.pid!);
    // autocannon counts the responses that arrived within the time; writes still in flight when it stopped may
    // have landed too, so every acknowledged write is readable when the counts read back are at least as high.
    const readable = readBack.length - 1 >= postedRecords && loadProjects >= postedProjects;
    console.log(
      `records: ${postedRecords} acknowledged → ${readBack.length - 1} read back (run says ${runNow.numRecords - 1}), ` +
        `${new Set(readBack.map((r) => r.id)).size - 1} distinct; projects: ${postedProjects} acknowledged → ${loadProjects} read back: ` +
        (readable ? 'every acknowledged write is readable' : 'WRITES MISSING'),
    );
    console.log(
      `5xx + errors: ${fiveXx}; stack RSS ${fmt(before.rssMb, 0)} MB before → peak ${fmt(Math.max(during.peakMb, peakSampler), 0)} MB → ` +
        `${fmt(after.rssMb, 0)} MB after`,
    );
    recordFigure('load', '5xx + connection errors', fiveXx, '');
    recordFigure('load', 'records acknowledged', postedRecords, '');
    recordFigure('load', 'records read back', readBack.length - 1, '');
    recordFigure('load', 'projects acknowledged', postedProjects, '');
    recordFigure('load', 'projects read back', loadProjects, '');
    recordFigure('load', 'RSS before', before.rssMb, 'MB');
    recordFigure('load', 'RSS peak', Math.max(during.peakMb, peakSampler), 'MB');
    recordFigure('load', 'RSS after', after.rssMb, 'MB');
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
