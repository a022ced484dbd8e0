process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { createNodeHttpFetch } from '../lambdas/adapters/llm/node-http-fetch.js';
import { type LocalStack, startLocalStack } from '../local/stack.js';
import { createMetric, createSystemVersion, seedTestset } from '../test/pipeline/support.js';
import { apiClient, tempDataDir, waitForRun } from '../test/support/stack.js';
import { startFakeLLMProcess } from './fake-llm-process.js';
import { recordFigure } from './results.js';
import { fmt, llmTimeline } from './support.js';

/**
 * Verdict side by side with promptfoo, the eval CLI most teams would pick instead, on the same workload: N
 * testcases, one openai_chat generation + a `contains` check + one LLM-judge rubric each, the same fake
 * OpenAI-compatible server on 127.0.0.1 (fixed 50 ms per call, its own process), the same concurrency (50),
 * promptfoo with --no-cache. The tools take turns, RUNS each, and the medians are compared with the ideal
 * (every call at full concurrency: 2 × N × latency / concurrency). promptfoo 0.121.20 (the newest that runs on
 * Node 20) is installed on demand into a temporary folder, never as a dependency of ours.
 *
 * A third contender calibrates the machine: a bare openai client (the SDK over the fetch Verdict's workers use) in
 * this process, making the same 2 × N calls in 50 lanes and storing nothing. No tool can beat it, so Verdict's
 * time over the bare client's is what the platform costs on this machine, whatever the VM's speed that day.
 *
 * Where Verdict's time goes: each turn prints its breakdown, and a CPU profile of every thread of the stack is
 * `node --cpu-prof --cpu-prof-dir=DIR --import tsx bench/peer.ts`, summed per thread and package by
 * `npx tsx bench/profile-summary.ts DIR`.
 */
const TESTCASES = Number(process.env.BENCH_TESTCASES ?? 1000);
const RUNS = Number(process.env.BENCH_PEER_RUNS ?? 3);
const LATENCY_MS = 50;
const CONCURRENCY = 50;
const IDEAL_SECONDS = (2 * TESTCASES * LATENCY_MS) / CONCURRENCY / 1000;
const PROMPTFOO = 'promptfoo@0.121.20';
const PEER_DIR = join(tmpdir(), 'verdict-bench-promptfoo-0.121.20');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function installPromptfoo(): Promise<string> {
  const bin = join(PEER_DIR, 'node_modules', '.bin', 'promptfoo');
  if (existsSync(bin)) return bin;
  mkdirSync(PEER_DIR, { recursive: true });
  console.log(`installing ${PROMPTFOO} into ${PEER_DIR} (npm i --prefix; not a dependency of Verdict)…`);
  await promisify(execFile)('npm', ['i', '--prefix', PEER_DIR, PROMPTFOO, '--no-audit', '--no-fund'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return bin;
}

/** promptfoo's config for the workload: the same prompt, check and rubric as Verdict's run. */
function writePromptfooConfig(dir: string, llmUrl: string) {
  const tests = Array.from({ length: TESTCASES }, (_, i) => ({ vars: { question: `question ${i}` } }));
  const config = {
    description: 'verdict bench/peer',
    prompts: ['{{question}}'],
    providers: [{ id: 'openai:chat:gpt-4o-mini', config: { apiBaseUrl: `${llmUrl}/v1`, apiKey: 'bench' } }],
    defaultTest: {
      options: {
        provider: { id: 'openai:chat:grader-promptfoo', config: { apiBaseUrl: `${llmUrl}/v1`, apiKey: 'bench' } },
      },
      assert: [
        { type: 'contains', value: 'answer' },
        { type: 'llm-rubric', value: 'The reply answers the question' },
      ],
    },
    tests,
  };
  const path = join(dir, 'promptfooconfig.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** One promptfoo eval, timed from the command to its exit (as a CI job sees it); its results are checked. */
async function promptfooRun(bin: string, configPath: string, dir: string) {
  const out = join(dir, `out-${Date.now()}.json`);
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      bin,
      [
        'eval',
        '-c',
        configPath,
        '--no-cache',
        '-j',
        String(CONCURRENCY),
        '--no-table',
        '--no-progress-bar',
        '--no-share',
        '-o',
        out,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          PROMPTFOO_CONFIG_DIR: join(dir, 'home'),
          PROMPTFOO_DISABLE_TELEMETRY: '1',
          PROMPTFOO_DISABLE_UPDATE: '1',
          PROMPTFOO_DISABLE_SHARING: '1',
          PROMPTFOO_SELF_HOSTED: '1',
          OPENAI_API_KEY: 'bench',
        },
      },
    );
    child.once('exit', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  const results = JSON.parse(readFileSync(out, 'utf8')) as {
    results: { stats: { successes: number; failures: number; errors: number } };
  };
  const stats = results.results.stats;
  if (stats.successes !== TESTCASES) console.log(`  promptfoo: exit ${code}, stats ${JSON.stringify(stats)}`);
  return { seconds, passed: stats.successes };
}

type FakeLLMProcess = Awaited<ReturnType<typeof startFakeLLMProcess>>;

/** The same calls with nothing around them: CONCURRENCY lanes, each a generation then its judge per testcase. */
async function bareClientRun(llm: FakeLLMProcess) {
  const client = new OpenAI({ apiKey: 'bench', baseURL: `${llm.url}/v1`, maxRetries: 0, fetch: createNodeHttpFetch() });
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (let i = next++; i < TESTCASES; i = next++) {
      const reply = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `question ${i}` }],
      });
      await client.chat.completions.create({
        model: 'judge-bare',
        messages: [{ role: 'user', content: `Does "${reply.choices[0]?.message.content}" answer question ${i}?` }],
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return (performance.now() - started) / 1000;
}

/**
 * One Verdict run over a fresh testset, timed from POST /runs to completed (records scored and aggregated), with
 * where its time went: before the first LLM call, how full the concurrency budget was kept while calls ran, after
 * the last reply; and the CPU the stack (every thread of this process) and the fake LLM used meanwhile.
 */
async function verdictRun(api: ReturnType<typeof apiClient>, llm: FakeLLMProcess, stack: LocalStack) {
  const { projectId, testsetId } = await seedTestset(api, TESTCASES);
  const systemVersionId = await createSystemVersion(api, projectId, 'bench', {
    type: 'openai_chat',
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: '{{ question }}' }],
  });
  const contains = await createMetric(api, projectId, {
    name: 'contains',
    evalType: 'heuristic',
    outputType: 'boolean',
    heuristic: { kind: 'contains', value: 'answer' },
  });
  const rubric = await createMetric(api, projectId, {
    name: 'rubric',
    evalType: 'ai',
    outputType: 'boolean',
    evalModelName: 'judge-verdict',
    guidelines: 'The reply answers the question',
  });
  await llm.mark();
  const llmCpu = await llm.cpuSeconds();
  const workerLoop = await stack.pipeline!.workerEventLoop();
  const cpu = process.cpuUsage();
  const startedAt = Date.now();
  const started = performance.now();
  const run = await api.post(`/projects/${projectId}/runs`, {
    testsetId,
    systemVersionId,
    metricIds: [contains.id, rubric.id],
    maxConcurrency: CONCURRENCY,
  });
  const done = await waitForRun(api, run.body.id, ['completed', 'failed', 'cancelled'], 600_000, 50);
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const calls = await llm.window();
  const breakdown =
    `LLM: ${llmTimeline(calls, { startedAt, seconds }, LATENCY_MS, CONCURRENCY)}; ` +
    `CPU: stack ${fmt((user + system) / 1e6, 1)} s (worker loop ` +
    `${fmt(performance.eventLoopUtilization(await stack.pipeline!.workerEventLoop(), workerLoop).utilization * 100, 0)}% busy), ` +
    `fake LLM ${fmt((await llm.cpuSeconds()) - llmCpu, 1)} s, on ${availableParallelism()} cores`;
  const passed = done.aggregates?.[rubric.versionId]?.passed ?? 0;
  if (done.status !== 'completed' || done.numScores !== 2 * TESTCASES)
    console.log(`  verdict: ${done.status}, ${done.numScores} scores`);
  return { seconds, passed, breakdown };
}

export async function main() {
  const bin = await installPromptfoo();
  const llm = await startFakeLLMProcess(LATENCY_MS);
  const dataDir = tempDataDir('verdict-bench-peer-');
  const peerDir = join(dataDir, 'promptfoo');
  mkdirSync(peerDir, { recursive: true });
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    webDist: false,
    pipeline: { openaiApiKey: 'bench', openaiBaseURL: `${llm.url}/v1` },
  });
  try {
    const api = apiClient(stack.url, stack.apiKey);
    const configPath = writePromptfooConfig(peerDir, llm.url);
    // One untimed turn each: Verdict's first run after boot compiles its hot paths, promptfoo's first start
    // fills the OS file cache.
    await verdictRun(api, llm, stack);
    await promptfooRun(bin, configPath, peerDir);
    await bareClientRun(llm);
    const verdict: number[] = [];
    const promptfoo: number[] = [];
    const bare: number[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const v = await verdictRun(api, llm, stack);
      const p = await promptfooRun(bin, configPath, peerDir);
      const b = await bareClientRun(llm);
      verdict.push(v.seconds);
      promptfoo.push(p.seconds);
      bare.push(b);
      console.log(
        `turn ${i}: Verdict ${fmt(v.seconds)} s (${v.passed} passed), promptfoo ${fmt(p.seconds)} s (${p.passed} passed), ` +
          `bare client ${fmt(b)} s`,
      );
      console.log(`  Verdict: ${v.breakdown}`);
    }
    const v = median(verdict);
    const p = median(promptfoo);
    const b = median(bare);
    console.log(
      `${TESTCASES} testcases × (1 generation + contains + 1 rubric), ${LATENCY_MS} ms per call, concurrency ${CONCURRENCY}:\n` +
        `  ideal ${fmt(IDEAL_SECONDS)} s; Verdict median ${fmt(v)} s = ${fmt(v / IDEAL_SECONDS)}× ideal; ` +
        `promptfoo median ${fmt(p)} s = ${fmt(p / IDEAL_SECONDS)}× ideal; Verdict / promptfoo = ${fmt(v / p)} ` +
        '(targets ≤ 0.25 and ≤ 1.3× ideal)\n' +
        `  bare openai client (no storage) median ${fmt(b)} s = ${fmt(b / IDEAL_SECONDS)}× ideal; Verdict / bare client = ${fmt(v / b)}`,
    );
    recordFigure('peer', 'ideal', IDEAL_SECONDS, 's');
    recordFigure('peer', 'Verdict median (POST /runs → completed)', v, 's');
    recordFigure('peer', 'promptfoo 0.121.20 median (CLI start → exit)', p, 's');
    recordFigure('peer', 'Verdict / ideal', v / IDEAL_SECONDS, '×');
    recordFigure('peer', 'promptfoo / ideal', p / IDEAL_SECONDS, '×');
    recordFigure('peer', 'Verdict / promptfoo', v / p, '×');
    recordFigure('peer', 'bare openai client median (no storage)', b, 's');
    recordFigure('peer', 'bare client / ideal', b / IDEAL_SECONDS, '×');
    recordFigure('peer', 'Verdict / bare client', v / b, '×');
  } finally {
    await stack.stop();
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
