process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { startLocalStack } from '../local/stack.js';
import { apiClient, tempDataDir, waitForRun } from '../test/support/stack.js';
import { recordFigure } from './results.js';
import { benchPoster, fmt, percentiles, stolenCpuSeconds } from './support.js';

const TESTCASES = Number(process.env.BENCH_TESTCASES ?? 100);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

/**
 * CPU time of the calling thread (the API's event loop, which also hosts the SQS and S3 emulators), from Linux's
 * /proc/thread-self; null elsewhere. On a shared VM the latencies move with the load, this much less.
 */
function apiThreadCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ
  } catch {
    return null;
  }
}

/**
 * The client on a thread of its own, as the SDK runs in a process of its own: fetch (undici, as the SDK uses)
 * with one connection per request, every POST of a burst sent at once. Warmed up first (undici loads lazily),
 * so a burst's latencies are the server's. `burst` returns each POST's latency in ms.
 */
async function startClient(warmUpUrl: string, apiKey: string) {
  const code = `
    const { parentPort, workerData: { apiKey } } = require('node:worker_threads');
    const post = async (url, body) => {
      const started = performance.now();
      const res = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: 'Bearer ' + apiKey, 'content-type': 'application/json' },
        body,
      });
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(url + ' answered ' + res.status);
      return performance.now() - started;
    };
    parentPort.on('message', ({ url, bodies }) =>
      Promise.all(bodies === undefined ? [post(url)] : bodies.map((body) => post(url, body))).then(
        (latencies) => parentPort.postMessage({ latencies }),
        (error) => parentPort.postMessage({ error: String(error) }),
      ));`;
  const worker = new Worker(code, { eval: true, workerData: { apiKey } });
  const ask = (url: string, bodies?: string[]) =>
    new Promise<number[]>((resolve, reject) => {
      worker.once('message', (m: { latencies?: number[]; error?: string }) =>
        m.error ? reject(new Error(m.error)) : resolve(m.latencies!),
      );
      worker.once('error', reject);
      worker.postMessage({ url, bodies });
    });
  await ask(warmUpUrl);
  return { burst: (url: string, bodies: string[]) => ask(url, bodies), stop: () => worker.terminate() };
}

/**
 * What a Scorecard SDK's runAndEvaluate does: every record of a run (100 testcases × 3 client-side trials, no
 * trial numbers) POSTed at once, each on its own connection, while the server scores them. Prints the latency
 * each POST saw (p50/p90/p99), when the run completed, and the CPU the API's thread spent. The first round
 * warms V8 up and is reported apart.
 */
export async function main() {
  const dataDir = tempDataDir('verdict-bench-burst-');
  const stack = await startLocalStack({ dataDir, port: 0 });
  try {
    const post = benchPoster(stack.url, stack.apiKey);
    const api = apiClient(stack.url, stack.apiKey);
    const project = await post('/projects', { name: 'burst' });
    const testset = await post(`/projects/${project.id}/testsets`, {
      name: 'burst',
      jsonSchema: { type: 'object', properties: { question: { type: 'string' }, answer: { type: 'string' } } },
      fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
    });
    const items = Array.from({ length: TESTCASES }, (_, i) => ({ jsonData: { question: `q${i}`, answer: `a${i}` } }));
    for (let i = 0; i < items.length; i += 100) {
      await post(`/testsets/${testset.id}/testcases`, { items: items.slice(i, i + 100) });
    }
    const testcases = (await api.get(`/testsets/${testset.id}/testcases?limit=100`)).body.data as Array<{
      id: string;
      inputs: Record<string, unknown>;
      expected: Record<string, unknown>;
    }>;
    const metric = await post(`/projects/${project.id}/metrics`, {
      name: 'exact',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'exact_match', field: 'response', expectedField: 'answer' },
    });
    const system = await post(`/projects/${project.id}/systems`, { name: 'bot', config: { model: 'echo-1' } });

    const client = await startClient(`${stack.url}/api/v2/projects/${project.id}`, stack.apiKey);
    const burst = async () => {
      const run = await post(`/projects/${project.id}/runs`, {
        testsetId: testset.id,
        systemVersionId: system.productionVersion.id,
        metricIds: [metric.id],
      });
      const bodies = testcases.flatMap((tc) =>
        Array.from({ length: TRIALS }, () =>
          JSON.stringify({
            testcaseId: tc.id,
            inputs: tc.inputs,
            expected: tc.expected,
            outputs: { response: tc.expected.answer },
          }),
        ),
      );
      const stolenBefore = stolenCpuSeconds();
      const cpuBefore = apiThreadCpuSeconds();
      const started = performance.now();
      const latencies = await client.burst(`${stack.url}/api/v2/runs/${run.id}/records`, bodies);
      const posted = performance.now() - started;
      const apiCpu = cpuBefore === null ? null : apiThreadCpuSeconds()! - cpuBefore;
      const done = await waitForRun(api, run.id, ['completed', 'failed', 'cancelled'], 120_000, 20);
      const completed = performance.now() - started;
      const stolen = stolenBefore === null ? null : stolenCpuSeconds()! - stolenBefore;
      return { ...percentiles(latencies), posted, completed, done, stolen, apiCpu };
    };

    for (let round = 0; round <= ROUNDS; round++) {
      const r = await burst();
      const n = r.done.aggregates?.[metric.versionId]?.n;
      if (round > 0) {
        recordFigure('record-burst', `round ${round} p50`, r.p50, 'ms');
        recordFigure('record-burst', `round ${round} p99`, r.p99, 'ms');
        recordFigure('record-burst', `round ${round} run completed after`, r.completed / 1000, 's');
      }
      console.log(
        `${round === 0 ? 'warm-up' : `round ${round}`}: ${r.n} concurrent record POSTs — ` +
          `p50 ${fmt(r.p50, 0)} ms, p90 ${fmt(r.p90, 0)} ms, p99 ${fmt(r.p99, 0)} ms; ` +
          `all answered in ${fmt(r.posted / 1000)} s, run ${r.done.status} (n ${n}, trials ${r.done.trials}) ` +
          `at ${fmt(r.completed / 1000)} s` +
          (r.apiCpu === null ? '' : `; the API's thread used ${fmt(r.apiCpu)} s of CPU until the last answer`) +
          (r.stolen === null ? '' : `; ${fmt(r.stolen, 1)} s CPU stolen`),
      );
    }
    await client.stop();
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
