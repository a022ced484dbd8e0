process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startLocalStack } from '../local/stack.js';
import { createMetric, createSystemVersion, seedTestset } from '../test/pipeline/support.js';
import { apiClient, tempDataDir, waitForRun } from '../test/support/stack.js';
import { startFakeLLMProcess } from './fake-llm-process.js';
import { recordFigure } from './results.js';
import { fmt, llmTimeline, stolenCpuSeconds } from './support.js';

const TESTCASES = Number(process.env.BENCH_TESTCASES ?? 1000);
const LATENCY_MS = 50;
const MAX_CONCURRENCY = 50;
const CALLS_PER_TESTCASE = 4; // 1 execution + 3 AI metrics
const IDEAL_SECONDS = (TESTCASES * CALLS_PER_TESTCASE * LATENCY_MS) / MAX_CONCURRENCY / 1000;
/** Runs after the cold one: this 2-core machine drifts by ±10% from one run to the next, so the median counts. */
const WARM_RUNS = Math.max(1, Number(process.env.BENCH_WARM_RUNS ?? 3));

type Api = ReturnType<typeof apiClient>;

/** Seeds a project and runs one evaluation of `testcases` testcases, timing POST /runs → completed. */
async function timedRun(
  api: Api,
  testcases: number,
  workerLoop: () => Promise<EventLoopUtilization>,
  llm: Awaited<ReturnType<typeof startFakeLLMProcess>>,
) {
  const { projectId, testsetId } = await seedTestset(api, testcases);
  const systemVersionId = await createSystemVersion(api, projectId, 'bench', {
    type: 'openai_chat',
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: '{{ question }}' }],
  });
  const metrics = await Promise.all(
    ['a', 'b', 'c'].map((name) =>
      createMetric(api, projectId, { name, evalType: 'ai', outputType: 'boolean', evalModelName: `judge-${name}` }),
    ),
  );
  await llm.mark();
  const llmCpu = await llm.cpuSeconds();
  const stolen = stolenCpuSeconds();
  const startedAt = Date.now();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const workerElu = await workerLoop();
  const run = await api.post(`/projects/${projectId}/runs`, {
    testsetId,
    systemVersionId,
    metricIds: metrics.map((m) => m.id),
    maxConcurrency: MAX_CONCURRENCY,
  });
  const done = await waitForRun(api, run.body.id, ['completed', 'failed', 'cancelled'], 600_000, 50);
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const calls = await llm.window();
  return {
    done,
    seconds,
    calls,
    startedAt,
    stackCpu: (user + system) / 1e6,
    llmCpu: (await llm.cpuSeconds()) - llmCpu,
    stolenCpu: stolen === null ? null : stolenCpuSeconds()! - stolen,
    busy: performance.eventLoopUtilization(elu).utilization,
    workerBusy: performance.eventLoopUtilization(await workerLoop(), workerElu).utilization,
  };
}

function report(
  label: string,
  {
    done,
    seconds,
    calls,
    startedAt,
    busy,
    workerBusy,
    stackCpu,
    llmCpu,
    stolenCpu,
  }: Awaited<ReturnType<typeof timedRun>>,
) {
  console.log(
    `${label}: ${done.status}, ${done.numRecords} records, ${done.numScores} scores; wall ${fmt(seconds)} s, ` +
      `${fmt(TESTCASES / seconds, 0)} records/s, ${fmt(seconds / IDEAL_SECONDS)}× the ideal ${fmt(IDEAL_SECONDS)} s; ` +
      `event loops busy: main ${fmt(busy * 100, 0)}%, workers ${fmt(workerBusy * 100, 0)}%`,
  );
  // Every thread of the stack (main, worker, dynalite) plus the fake LLM, against the cores this machine has.
  console.log(
    `  CPU: stack ${fmt(stackCpu, 1)} s (all its threads), fake LLM ${fmt(llmCpu, 1)} s → ` +
      `${fmt((stackCpu + llmCpu) / seconds, 2)} of ${availableParallelism()} cores busy` +
      (stolenCpu === null ? '' : `; ${fmt(stolenCpu, 1)} s stolen by the hypervisor`),
  );
  console.log(`  LLM: ${llmTimeline(calls, { startedAt, seconds }, LATENCY_MS, MAX_CONCURRENCY)}`);
}

/**
 * The whole pipeline on the embedded stack against a fake LLM with a fixed 50 ms latency: wall time from
 * POST /runs to a completed run, records/s, and the ratio to the ideal (every call at full concurrency).
 */
export async function main() {
  const llm = await startFakeLLMProcess(LATENCY_MS);
  const dataDir = tempDataDir('verdict-bench-pipeline-');
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    pipeline: { openaiApiKey: 'bench', openaiBaseURL: `${llm.url}/v1` },
  });
  try {
    const api = apiClient(stack.url, stack.apiKey);
    // A cold process runs its first few hundred records slower while V8 compiles the hot paths; report the
    // cold figure, then the steady state a long-running server (or a warm Lambda) sees.
    const workerLoop = () => stack.pipeline!.workerEventLoop();
    const cold = await timedRun(api, TESTCASES, workerLoop, llm);
    report('cold (first run after boot)', cold);
    const warm: number[] = [];
    for (let i = 1; i <= WARM_RUNS; i++) {
      const run = await timedRun(api, TESTCASES, workerLoop, llm);
      report(`warm ${i}`, run);
      warm.push(run.seconds);
    }
    const sorted = [...warm].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(
      `warm median ${fmt(median)} s, ${fmt(TESTCASES / median, 0)} records/s = ${fmt(median / IDEAL_SECONDS)}× the ideal ` +
        `(range ${fmt(sorted[0]! / IDEAL_SECONDS)}–${fmt(sorted.at(-1)! / IDEAL_SECONDS)}×; target ≤ 1.5×); ` +
        `first run after boot ${fmt(cold.seconds / IDEAL_SECONDS)}×`,
    );
    console.log(`LLM calls served: ${await llm.requestCount()}`);
    recordFigure('pipeline', 'ideal', IDEAL_SECONDS, 's');
    recordFigure('pipeline', 'warm median', median, 's');
    recordFigure('pipeline', 'warm median / ideal', median / IDEAL_SECONDS, '×');
    recordFigure('pipeline', 'first run after boot / ideal', cold.seconds / IDEAL_SECONDS, '×');
  } finally {
    await stack.stop();
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
