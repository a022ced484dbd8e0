import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { executeBatch } from '../../lambdas/core/pipeline/execute-batch.js';
import { prepareRun } from '../../lambdas/core/pipeline/prepare-run.js';
import { scoreBatch } from '../../lambdas/core/pipeline/score-batch.js';
import { finalizeRun, storedScoreTallies, workflowTallies } from '../../lambdas/core/runs/finalize.js';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import { type FakeLLM, startFakeLLM } from '../support/fake-llm.js';
import { apiClient, collectPages, startTestStack, tempDataDir, waitFor, waitForRun } from '../support/stack.js';
import {
  CHAT_SYSTEM,
  createMetric,
  createSystemVersion,
  EXACT_METRIC,
  questionNumber,
  seedTestset,
  startDrivenRun,
} from './support.js';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

/** A system model that answers after `delayMs`, so a run is still going when the test acts on it. */
async function slowLLM(delayMs: number): Promise<FakeLLM> {
  const llm = await startFakeLLM({
    responder: (body) => ({
      content: `answer-${questionNumber(body.messages.map((m) => m.content).join(' '))}`,
      delayMs,
    }),
  });
  cleanup.push(() => llm.close());
  return llm;
}

const drivenRun = (testcases: number, metricBodies: Array<Record<string, unknown>>, llm?: FakeLLM) =>
  startDrivenRun(cleanup, testcases, metricBodies, llm);

describe('run lifecycle', () => {
  it('cancel stops new work: nothing is executed after the workflow drains', async () => {
    const llm = await slowLLM(50);
    const stack = await startTestStack({ pipeline: { openaiApiKey: 'k', openaiBaseURL: `${llm.url}/v1` } });
    cleanup.push(() => stack.stop());
    const api = apiClient(stack.url, stack.apiKey);
    const { projectId, testsetId } = await seedTestset(api, 200);
    const versionId = await createSystemVersion(api, projectId, 'slow', CHAT_SYSTEM);
    const metric = await createMetric(api, projectId, EXACT_METRIC);
    const run = (
      await api.post(`/projects/${projectId}/runs`, {
        testsetId,
        systemVersionId: versionId,
        metricIds: [metric.id],
        maxConcurrency: 2,
      })
    ).body;
    await waitFor(
      async () => ((await api.get(`/runs/${run.id}`)).body.numExecuted > 0 ? true : undefined),
      'first execution',
    );

    const cancelled = await api.post(`/runs/${run.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await stack.pipeline!.whenIdle();
    const callsAfterDrain = llm.requests.length;
    const final = (await api.get(`/runs/${run.id}`)).body;
    expect(final.status).toBe('cancelled');
    expect(final.numExecuted).toBeLessThan(200);
    expect(callsAfterDrain).toBe(final.numExecuted);
    expect((await api.post(`/runs/${run.id}/cancel`)).status).toBe(409);
  });

  it('builds each record from its testcase when it runs: PrepareRun writes none, a deleted testcase errors', async () => {
    const llm = await slowLLM(0);
    const { api, testsetId, run, deps, task } = await drivenRun(55, [EXACT_METRIC], llm);

    const prepared = await prepareRun(deps, { ...task, mode: 'execute' });
    expect(prepared.batches.map((b) => b.batch)).toEqual([0, 1]); // 50 + 5
    expect((await api.get(`/runs/${run.id}`)).body.numRecords).toBe(55);
    expect(await collectPages(api, `/runs/${run.id}/records`)).toEqual([]);

    const testcases = await collectPages<any>(api, `/testsets/${testsetId}/testcases`);
    const doomed = testcases.find((tc) => tc.jsonData.question === 'question 52');
    expect((await api.post('/testcases/bulk-delete', { ids: [doomed.id] })).status).toBeLessThan(300);

    expect(await executeBatch(deps, { ...task, batch: 0 })).toEqual({ completed: 50, errored: 0, skipped: 0 });
    expect(await executeBatch(deps, { ...task, batch: 1 })).toEqual({ completed: 4, errored: 1, skipped: 0 });
    // Redelivered: everything is already written, nothing runs twice.
    expect(await executeBatch(deps, { ...task, batch: 1 })).toEqual({ completed: 4, errored: 1, skipped: 5 });
    expect(llm.requests.length).toBe(54);

    const records = await collectPages<any>(api, `/runs/${run.id}/records`);
    expect(new Set(records.map((r) => r.id)).size).toBe(55);
    expect(records.filter((r) => r.status === 'errored')).toEqual([
      expect.objectContaining({
        testcaseId: doomed.id,
        error: `testcase ${doomed.id} was deleted before this record ran`,
      }),
    ]);
    const ran = records.find((r) => r.inputs.question === 'question 3');
    expect(ran).toMatchObject({
      status: 'completed',
      expected: { answer: 'answer-3' },
      outputs: { response: 'answer-3' },
    });
  });

  it('finalizes from the batches’ score summaries exactly as from reading every score', async () => {
    const llm = await startFakeLLM({
      responder: (body) => {
        const n = questionNumber(body.messages.map((m) => m.content).join(' '));
        if (body.model === 'gpt-4o-mini') return { content: n % 4 === 0 ? 'wrong' : `answer-${n}` };
        if (n % 7 === 0) return { content: 'not json at all' };
        return { content: JSON.stringify({ reasoning: 'graded', score: (n % 5) + 1 }) };
      },
    });
    cleanup.push(() => llm.close());
    const gradeMetric = {
      name: 'grade',
      evalType: 'ai',
      outputType: 'int',
      evalModelName: 'judge-int',
      passingThreshold: 3,
    };
    const { api, testsetId, metrics, run, deps, task } = await drivenRun(55, [EXACT_METRIC, gradeMetric], llm);
    const [exact, grade] = [metrics[0]!, metrics[1]!];
    await prepareRun(deps, { ...task, mode: 'execute' });
    const testcases = await collectPages<any>(api, `/testsets/${testsetId}/testcases`);
    const doomed = testcases.find((tc) => tc.jsonData.question === 'question 54');
    await api.post('/testcases/bulk-delete', { ids: [doomed.id] });
    for (const batch of [0, 1]) {
      await executeBatch(deps, { ...task, batch });
      await scoreBatch(deps, { ...task, batch });
    }

    const summaries = await deps.batches.scoreSummaries(run.id);
    expect(summaries.map((s) => [s?.generation, s?.records])).toEqual([
      [0, 50],
      [0, 5],
    ]);
    // With every batch summarised FinalizeRun reads no score: a scores read here would fail the run.
    const noScoreReads = Object.assign(Object.create(deps.records), {
      listByRun: () => Promise.reject(new Error('FinalizeRun read the scores')),
    });
    await finalizeRun(deps, task, workflowTallies({ ...deps, records: noScoreReads }));
    const fromSummaries = (await api.get(`/runs/${run.id}`)).body;
    // From the stored scores, as for runs the summaries do not cover: the same aggregates.
    await finalizeRun(deps, task, storedScoreTallies(deps));
    const fromScores = (await api.get(`/runs/${run.id}`)).body;
    expect(fromSummaries.aggregates).toEqual(fromScores.aggregates);
    expect(fromSummaries.numScores).toBe(fromScores.numScores);
    // 54 records ran (one testcase was deleted): exact scores all 54; the judge errs on the 8 multiples of 7.
    expect(fromScores.numScores).toBe(108);
    expect(fromScores.aggregates[exact.versionId]).toMatchObject({ n: 54, passed: 40, failed: 14 });
    expect(fromScores.aggregates[grade.versionId]).toMatchObject({ n: 46, errored: 8 });
    expect(fromScores.aggregates[grade.versionId].histogram).toEqual({ 1: 9, 2: 10, 3: 9, 4: 10, 5: 8 });
  });

  it('a batch shares the run it loaded with the cancel probe, and an older read never hides a cancel', async () => {
    const { api, run, deps } = await drivenRun(3, [EXACT_METRIC]);
    const scope = { orgId: DEFAULT_ORG };

    const before = (await deps.runs.get(scope, run.id))!;
    deps.caches.sawRun(scope, before);
    expect(await deps.caches.isCancelled(scope, run.id)).toBe(false);
    expect((await api.post(`/runs/${run.id}/cancel`)).status).toBe(200);
    const after = (await deps.runs.get(scope, run.id))!;
    deps.caches.sawRun(scope, after);
    expect(await deps.caches.isCancelled(scope, run.id)).toBe(true);
    // A batch that read the run before the cancel reports its copy late: the cancel stands.
    deps.caches.sawRun(scope, before);
    expect(await deps.caches.isCancelled(scope, run.id)).toBe(true);
  });

  it('resumes a run after a restart mid-run, executing every testcase exactly once', async () => {
    const llm = await slowLLM(30);
    const dataDir = tempDataDir('verdict-resume-');
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const pipeline = { openaiApiKey: 'k', openaiBaseURL: `${llm.url}/v1` };
    const first = await startTestStack({ dataDir, pipeline });
    let api = apiClient(first.url, first.apiKey);
    const { projectId, testsetId } = await seedTestset(api, 200);
    const versionId = await createSystemVersion(api, projectId, 'slow', CHAT_SYSTEM);
    const metric = await createMetric(api, projectId, EXACT_METRIC);
    const run = (
      await api.post(`/projects/${projectId}/runs`, {
        testsetId,
        systemVersionId: versionId,
        metricIds: [metric.id],
        maxConcurrency: 2,
      })
    ).body;
    await waitFor(
      async () => ((await api.get(`/runs/${run.id}`)).body.numExecuted >= 5 ? true : undefined),
      'some progress',
    );
    await first.stop();
    const executedBeforeRestart = llm.requests.length;
    expect(executedBeforeRestart).toBeLessThan(200);

    const second = await startTestStack({ dataDir, pipeline });
    cleanup.push(() => second.stop());
    api = apiClient(second.url, second.apiKey);
    const done = await waitForRun(api, run.id);
    expect(done).toMatchObject({ status: 'completed', numRecords: 200, numExecuted: 200, numScores: 200 });
    expect(done.aggregates[metric.versionId]).toMatchObject({ n: 200, passRate: 1 });
    const asked = llm.requests.map((r) => questionNumber(r.body.messages.map((m) => m.content).join(' ')));
    expect(asked.length).toBe(200);
    expect(new Set(asked).size).toBe(200);
    const records = await collectPages<any>(api, `/runs/${run.id}/records`);
    expect(new Set(records.map((r) => r.testcaseId)).size).toBe(200);
  });

  it('without an LLM key, heuristics still score and AI metrics are errored with "no LLM configured"', async () => {
    const agentStack = await startTestStack({ pipeline: { openaiApiKey: '' } });
    cleanup.push(() => agentStack.stop());
    const api = apiClient(agentStack.url, agentStack.apiKey);
    const { projectId } = await seedTestset(api, 0);
    const exact = await createMetric(api, projectId, EXACT_METRIC);
    const judge = await createMetric(api, projectId, { name: 'judge', evalType: 'ai', outputType: 'boolean' });
    // An SDK-style run: records posted by the client, scored on arrival, completed when the testset is covered.
    const testset = (
      await api.post(`/projects/${projectId}/testsets`, {
        name: 't',
        fieldMapping: { inputs: ['q'], expected: ['answer'] },
      })
    ).body;
    await api.post(`/testsets/${testset.id}/testcases`, {
      items: [0, 1, 2].map((i) => ({ jsonData: { q: `${i}`, answer: `a${i}` } })),
    });
    const run = (
      await api.post(`/projects/${projectId}/runs`, { testsetId: testset.id, metricIds: [exact.id, judge.id] })
    ).body;
    for (const i of [0, 1, 2])
      await api.post(`/runs/${run.id}/records`, {
        inputs: { q: `${i}` },
        expected: { answer: `a${i}` },
        outputs: { response: `a${i}` },
      });
    const done = await waitForRun(api, run.id);
    expect(done.status).toBe('completed');
    expect(done.statusExplanation[exact.versionId]).toEqual({ scored: 3, errored: 0, total: 3 });
    expect(done.statusExplanation[judge.versionId]).toMatchObject({ scored: 0, errored: 3 });
    expect(done.statusExplanation[judge.versionId].lastError).toMatch(/no LLM configured/);
    expect(done.aggregates[exact.versionId].passRate).toBe(1);
  });

  it('waits for human scores, then completes when the last one is PUT', async () => {
    const stack = await startTestStack({ pipeline: { openaiApiKey: '' } });
    cleanup.push(() => stack.stop());
    const api = apiClient(stack.url, stack.apiKey);
    const { projectId } = await seedTestset(api, 0);
    const testset = (await api.post(`/projects/${projectId}/testsets`, { name: 't' })).body;
    await api.post(`/testsets/${testset.id}/testcases`, { items: [{ jsonData: { q: 1 } }, { jsonData: { q: 2 } }] });
    const review = await createMetric(api, projectId, { name: 'review', evalType: 'human', outputType: 'int' });
    const run = (await api.post(`/projects/${projectId}/runs`, { testsetId: testset.id, metricIds: [review.id] })).body;
    const ids = [];
    for (const q of [1, 2])
      ids.push((await api.post(`/runs/${run.id}/records`, { inputs: { q }, outputs: { response: 'x' } })).body.id);
    await waitForRun(api, run.id, ['awaiting_human_scoring']);
    await api.put(`/records/${ids[0]}/scores/${review.versionId}`, { score: { intScore: 5 } });
    const after = (await api.put(`/records/${ids[1]}/scores/${review.versionId}`, { score: { intScore: 3 } })).body;
    expect(after.passed).toBe(false);
    const done = await waitForRun(api, run.id);
    expect(done.aggregates[review.versionId]).toMatchObject({ n: 2, mean: 4, passed: 1, failed: 1, passRate: 0.5 });
  });
});
