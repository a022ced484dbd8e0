import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLLM, startFakeLLM } from '../support/fake-llm.js';
import { type ApiClient, apiClient, startTestStack, waitForRun } from '../support/stack.js';
import { CHAT_SYSTEM, createSystemVersion, questionNumber, seedTestset } from './support.js';

// Three worker threads, each with its own AWS clients and limiters (as three Lambda instances would be), poll
// the same queues; each takes one batch at a time, so the run's three batches run on three workers at once.
// The run's budget must hold across them: measured as the most calls the LLM had in flight at one time.
const WORKERS = 3;
const BUDGET = 10;
const TESTCASES = 150; // three batches of 50, and a Map concurrency of 3 for a budget of 10
const ORG_CEILING = 14;
const LATENCY_MS = 40;

let llm: FakeLLM;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;

beforeAll(async () => {
  llm = await startFakeLLM({
    latencyMs: LATENCY_MS,
    responder: (body) => ({ content: `answer-${questionNumber(body.messages.at(-1)!.content)}` }),
  });
  stack = await startTestStack({
    pipeline: {
      openaiApiKey: 'k',
      openaiBaseURL: `${llm.url}/v1`,
      workerThreads: WORKERS,
      workerConcurrency: 1,
      orgMaxConcurrency: ORG_CEILING,
    },
    monitors: false,
  });
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(async () => {
  await stack?.stop();
  await llm?.close();
});

describe("a run's concurrency budget", () => {
  const startRun = async () => {
    const { projectId, testsetId } = await seedTestset(api, TESTCASES);
    const systemVersionId = await createSystemVersion(api, projectId, 'bot', CHAT_SYSTEM);
    const created = await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId,
      metricIds: [],
      maxConcurrency: BUDGET,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  };

  it('holds across separate workers: the LLM never sees more calls at once than the run allows', async () => {
    const run = await waitForRun(api, await startRun());

    expect(run.status).toBe('completed');
    expect(run.numRecords).toBe(TESTCASES);
    expect(llm.requests).toHaveLength(TESTCASES);
    // Each worker alone would allow BUDGET calls: three at once would reach 3 × BUDGET without shared permits.
    expect(llm.peakInFlight).toBeLessThanOrEqual(BUDGET);
    // And the budget is used, not starved: more than one worker's share was in flight together.
    expect(llm.peakInFlight).toBeGreaterThan(BUDGET / WORKERS);
    // How much of the budget the workers kept busy (printed, not asserted: time is for the benches).
    const seconds = (Date.parse(run.completedAt) - Date.parse(run.startedAt)) / 1000;
    const ideal = (TESTCASES * LATENCY_MS) / BUDGET / 1000;
    console.log(
      `peak in-flight LLM calls: ${llm.peakInFlight} (budget ${BUDGET}, ${WORKERS} workers); ` +
        `started → completed ${seconds.toFixed(2)} s, ideal ${ideal.toFixed(2)} s`,
    );
  });

  it("and two runs of one organization together stay under the organization's ceiling", async () => {
    llm.resetPeak();
    const runs = await Promise.all([startRun(), startRun()]);
    const done = await Promise.all(runs.map((id) => waitForRun(api, id)));
    expect(done.map((r) => [r.status, r.numRecords])).toEqual([
      ['completed', TESTCASES],
      ['completed', TESTCASES],
    ]);
    // Two budgets of 10 would allow 20 at once; the organization allows 14.
    expect(llm.peakInFlight).toBeLessThanOrEqual(ORG_CEILING);
    // Both runs drew on the ceiling together (one run alone holds at most BUDGET).
    expect(llm.peakInFlight).toBeGreaterThan(BUDGET / 2);
    console.log(`peak in-flight LLM calls, two runs: ${llm.peakInFlight} (org ceiling ${ORG_CEILING})`);
  });

  it("gives a dead worker's permits back when its lease runs out, and never grants past the limit", async () => {
    const permits = stack.core.repositories.permits;
    const t0 = Date.now();
    expect(await permits.hold('test-pool', 'a', 4, 5, 1_000, t0)).toBe(4);
    expect(await permits.hold('test-pool', 'b', 3, 5, 1_000, t0)).toBe(1);
    expect(await permits.hold('test-pool', 'c', 2, 5, 1_000, t0)).toBe(0);
    // a and b stop renewing (they died): after the lease, c gets what it asks for.
    expect(await permits.hold('test-pool', 'c', 5, 5, 1_000, t0 + 1_001)).toBe(5);
    expect(await permits.hold('test-pool', 'c', 0, 5, 1_000, t0 + 1_002)).toBe(0);
    expect(await permits.hold('test-pool', 'a', 5, 5, 1_000, t0 + 1_003)).toBe(5);
  });
});
