import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TABLE, startEmulators } from '../../local/emulators.js';
import { ensureWebBuild } from '../../local/web-build.js';
import {
  CHAT_SYSTEM,
  createMetric,
  createSystemVersion,
  EXACT_METRIC,
  questionNumber,
  seedTestset,
} from '../pipeline/support.js';
import { type FakeLLM, startFakeLLM } from '../support/fake-llm.js';
import { type ApiClient, apiClient, collectPages, tempDataDir, waitForRun } from '../support/stack.js';

/**
 * `npm start` killed with SIGKILL (the whole process group: no shutdown hook runs) at three points of a run of
 * N testcases: while the run is being planned, in the middle of execution, in the middle of scoring; each time
 * restarted on the same data dir. The run completes with exactly N records and 2N scores, none twice, and the
 * LLM is asked again only for work the dead process had not saved (in flight, or answered but not yet written):
 * every repeat the fake server counts is checked against what the data dir held after the kill, and their number
 * per kill is at most the run's concurrency (a permit is held until its call's result is saved). The counts are
 * printed. The kill points are read off the fake LLM's counters as calls arrive.
 */

const N = 500;
const CONCURRENCY = 50;
const LATENCY_MS = 50;
const dataDir = tempDataDir('verdict-crash-');

/** Calls the fake LLM got, per kind and testcase, and how many are being answered right now. */
const calls = { system: new Map<number, number>(), judge: new Map<number, number>() };
let inFlight = 0;
/** Runs when the kind's count of distinct testcases reaches `at`, from inside the fake server. */
let trigger: { kind: 'system' | 'judge'; at: number; fire: () => void } | undefined;

let llm: FakeLLM;
/** Which start of the stack is running (1-based), and the LLM calls each start repeated. */
let phase = 0;
const repeatsAfterStart: number[] = [];
const repeatedAt: Array<{ phase: number; kind: 'system' | 'judge'; n: number }> = [];
let child: ChildProcess | undefined;

async function startChild(): Promise<{ api: ApiClient; process: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      VERDICT_DATA_DIR: dataDir,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: `${llm.url}/v1`,
      VERDICT_ALLOW_PRIVATE_URLS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the kill takes every thread and child it has, as a crash of the machine would.
    detached: true,
  });
  child = proc;
  phase++;
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk;
      const match = /Verdict is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    proc.once('exit', (code) => reject(new Error(`the stack exited (${code}) before it ran:\n${out}`)));
  });
  const key = readFileSync(join(dataDir, 'admin-api-key'), 'utf8').trim();
  return { api: apiClient(url, key), process: proc };
}

/** SIGKILL to the child's whole process group; resolves once it is gone. */
function killGroup(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  process.kill(-proc.pid!, 'SIGKILL');
  return gone;
}

const distinct = (kind: 'system' | 'judge') => calls[kind].size;
const repeats = (kind: 'system' | 'judge') => [...calls[kind].values()].reduce((sum, n) => sum + n - 1, 0);

/**
 * What the dead stack had saved of the run, read from its data dir while nothing runs on it: the testcase
 * numbers with a finished record, and those with a judge score.
 */
async function savedWork(runId: string, judgeVersionId: string) {
  const emulators = await startEmulators(dataDir);
  try {
    const items: Array<Record<string, any>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await emulators.clients.documents.send(
        new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const numberOf = new Map<string, number>();
    const system = new Set<number>();
    for (const item of items.filter((i) => i.type === 'record' && i.runId === runId)) {
      const inputs = typeof item.inputs === 'string' ? JSON.parse(item.inputs) : item.inputs;
      const n = questionNumber(String(inputs.question));
      numberOf.set(item.id, n);
      if (item.status === 'completed' || item.status === 'errored') system.add(n);
    }
    const judge = new Set<number>();
    for (const item of items.filter((i) => i.type === 'score' && i.metricConfigId === judgeVersionId)) {
      const n = numberOf.get(item.recordId);
      if (n !== undefined) judge.add(n);
    }
    return { system, judge };
  } finally {
    await emulators.stop();
  }
}

beforeAll(async () => {
  // The web app is built once here rather than inside the first child, whose start we time.
  await ensureWebBuild();
  llm = await startFakeLLM({
    responder: async (body) => {
      const kind = body.model === CHAT_SYSTEM.model ? 'system' : 'judge';
      const n = questionNumber(body.messages.map((m) => m.content).join('\n'));
      calls[kind].set(n, (calls[kind].get(n) ?? 0) + 1);
      if ((calls[kind].get(n) ?? 0) > 1) {
        repeatsAfterStart[phase] = (repeatsAfterStart[phase] ?? 0) + 1;
        repeatedAt.push({ phase, kind, n });
      }
      if (trigger && trigger.kind === kind && distinct(kind) >= trigger.at) {
        const { fire } = trigger;
        trigger = undefined;
        fire();
      }
      inFlight++;
      try {
        await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
      } finally {
        inFlight--;
      }
      return kind === 'system' ? { content: `answer-${n}` } : { content: '{"reasoning": "fine", "score": true}' };
    },
  });
}, 120_000);
afterAll(async () => {
  if (child) await killGroup(child);
  await llm?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a run survives SIGKILL of the whole stack', () => {
  it(`at planning, mid-execution and mid-scoring: ${N} records, ${2 * N} scores, LLM asked again only for unsaved work`, async () => {
    // 1. During planning: the process dies the moment the run is accepted, before any LLM call.
    let stack = await startChild();
    const { projectId, testsetId } = await seedTestset(stack.api, N);
    const versionId = await createSystemVersion(stack.api, projectId, 'chat', CHAT_SYSTEM);
    const exact = await createMetric(stack.api, projectId, EXACT_METRIC);
    const judge = await createMetric(stack.api, projectId, {
      name: 'judge',
      evalType: 'ai',
      outputType: 'boolean',
      evalModelName: 'judge-bool',
    });
    const created = await stack.api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: [exact.id, judge.id],
      maxConcurrency: CONCURRENCY,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await killGroup(stack.process);
    const runId = created.body.id as string;
    expect(distinct('system')).toBe(0);

    // 2. Mid-execution: killed from the fake LLM once 40% of the testcases have been sent to the system.
    const inFlightAt: number[] = [];
    const killedAt = (kind: 'system' | 'judge', at: number) =>
      new Promise<void>((resolve) => {
        trigger = {
          kind,
          at,
          fire: () => {
            inFlightAt.push(inFlight);
            process.kill(-child!.pid!, 'SIGKILL');
            resolve();
          },
        };
      });
    let killed = killedAt('system', Math.round(N * 0.4));
    stack = await startChild();
    await killed;
    await killGroup(stack.process);
    const savedAtKill2 = await savedWork(runId, judge.versionId);
    const executedBefore = distinct('system');
    expect(executedBefore).toBeLessThan(N);

    // 3. Mid-scoring: killed once half of the testcases have reached the judge.
    killed = killedAt('judge', Math.round(N * 0.5));
    stack = await startChild();
    await killed;
    await killGroup(stack.process);
    const savedAtKill3 = await savedWork(runId, judge.versionId);
    expect(distinct('judge')).toBeLessThan(N);

    // 4. The last start finishes the run.
    stack = await startChild();
    const run = await waitForRun(stack.api, runId, ['completed', 'failed', 'cancelled'], 45_000);
    expect(run).toMatchObject({ status: 'completed', numRecords: N, numExecuted: N, numScores: 2 * N });
    const records = await collectPages<any>(stack.api, `/runs/${runId}/records`);
    expect(records).toHaveLength(N);
    expect(new Set(records.map((r) => r.id)).size).toBe(N);
    expect(new Set(records.map((r) => r.testcaseId)).size).toBe(N);
    expect(
      records.every(
        (r) => r.status === 'completed' && r.outputs.response === `answer-${questionNumber(r.inputs.question)}`,
      ),
    ).toBe(true);
    for (const r of records) {
      expect(r.scores.map((s: { metricConfigId: string }) => s.metricConfigId).sort()).toEqual(
        [exact.versionId, judge.versionId].sort(),
      );
    }
    expect(run.aggregates[judge.versionId]).toMatchObject({ n: N, passRate: 1 });
    expect(run.aggregates[exact.versionId]).toMatchObject({ n: N, passRate: 1 });

    // Every testcase reached the system and the judge; again only for work the kills cut off.
    expect(distinct('system')).toBe(N);
    expect(distinct('judge')).toBe(N);
    const repeated = { system: repeats('system'), judge: repeats('judge'), perStart: repeatsAfterStart, inFlightAt };
    console.log(`crash-mid-run: N=${N}, LLM calls repeated after the kills: ${JSON.stringify(repeated)}`);
    // Nothing had reached the LLM at the planning kill. After each other kill the LLM is asked again only for
    // work the dead stack had not saved: in flight at the kill, or answered but not yet written.
    expect(repeatsAfterStart[2] ?? 0).toBe(0);
    // A permit covers a call until its result is saved, so what a kill cuts off is bounded by the concurrency.
    for (const start of [3, 4]) expect(repeatsAfterStart[start] ?? 0).toBeLessThanOrEqual(CONCURRENCY);
    for (const { phase: start, kind, n } of repeatedAt) {
      const saved = start === 3 ? savedAtKill2 : start === 4 ? savedAtKill3 : undefined;
      expect(saved, `a repeat in start ${start}`).toBeDefined();
      expect(saved![kind].has(n), `${kind} call for question ${n} repeated after start ${start} though saved`).toBe(
        false,
      );
    }
    await killGroup(stack.process);
  }, 120_000);
});
