import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunProgress, VerdictUsageError } from '../../sdk/index.js';
import { createMetric, createSystemVersion } from '../pipeline/support.js';
import { caseNumber, startSdkStack } from './support.js';

let env: Awaited<ReturnType<typeof startSdkStack>>;
beforeAll(async () => {
  env = await startSdkStack();
});
afterAll(() => env?.stack.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runAndEvaluate on the local stack', () => {
  it('runs 100 testcases 10 at a time, posting 100 records that the server scores and completes', async () => {
    // Prepare
    const { projectId, testsetId, metricId } = await env.seed(100);
    let inFlight = 0;
    let maxInFlight = 0;
    const progress: RunProgress[] = [];

    // Act
    const result = await env.client.runAndEvaluate({
      projectId,
      testsetId,
      metricIds: [metricId],
      concurrency: 10,
      onProgress: (p) => progress.push(p),
      system: async (inputs) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(5);
        inFlight--;
        return `answer-${caseNumber(inputs)}`;
      },
    });
    const run = await env.client.waitForRun(result.runId, { pollMs: 100, timeoutMs: 30_000 });

    // Assess
    expect(result).toMatchObject({
      numRecords: 100,
      numErrored: 0,
      url: `${env.stack.url}/api/v2/runs/${result.runId}`,
    });
    expect(maxInFlight).toBe(10);
    expect(progress.at(-1)).toMatchObject({ completed: 100, errored: 0, total: 100 });
    expect(run).toMatchObject({ status: 'completed', numRecords: 100, numScores: 100, numExpectedRecords: 100 });
    expect(run.aggregates?.[run.metricVersionIds[0]!]).toMatchObject({ passRate: 1, n: 100, passed: 100, errored: 0 });
    const records = await env.client.records.list(result.runId).toArray();
    expect(records).toHaveLength(100);
    expect(new Set(records.map((r) => r.testcaseId)).size).toBe(100);
    expect(records.every((r) => r.scores.length === 1 && r.scores[0]!.passed === true)).toBe(true);
    expect(records.every((r) => r.latencyMs !== null && r.latencyMs >= 4)).toBe(true);
    expect(records[0]!.outputs).toEqual({ response: `answer-${caseNumber(records[0]!.inputs)}` });
  });

  it('turns a throwing system into errored records carrying the message, and the run still completes', async () => {
    const { projectId, testsetId, metricId } = await env.seed(20);
    const result = await env.client.runAndEvaluate({
      projectId,
      testsetId,
      metricIds: [metricId],
      concurrency: 4,
      system: (inputs) => {
        const n = caseNumber(inputs);
        if (n % 4 === 0) throw new Error(`model overloaded on ${n}`);
        return { response: `answer-${n}` };
      },
    });
    const run = await env.client.waitForRun(result.runId, { pollMs: 100 });

    expect(result).toMatchObject({ numRecords: 20, numErrored: 5 });
    expect(run).toMatchObject({ status: 'completed', numRecords: 20, numErroredRecords: 5 });
    expect(run.aggregates?.[run.metricVersionIds[0]!]).toMatchObject({ n: 15, passRate: 1 });
    const errored = (await env.client.records.list(result.runId).toArray()).filter((r) => r.status === 'errored');
    expect(errored.map((r) => r.error).sort()).toEqual([0, 12, 16, 4, 8].map((n) => `model overloaded on ${n}`).sort());
    expect(errored.every((r) => r.scores.length === 0 && r.latencyMs !== null)).toBe(true);
  });

  it('ends a run whose every call throws as failed, not stuck', async () => {
    const { projectId, testsetId, metricId } = await env.seed(5);
    const result = await env.client.runAndEvaluate({
      projectId,
      testsetId,
      metricIds: [metricId],
      system: () => Promise.reject('not even an Error'),
    });
    const run = await env.client.waitForRun(result.runId, { pollMs: 100 });
    expect(run).toMatchObject({ status: 'failed', numErroredRecords: 5 });
    const [record] = await env.client.records.list(result.runId).toArray(1);
    expect(record!.error).toBe('not even an Error');
  });

  it('turns a call slower than systemTimeoutMs into an errored record', async () => {
    const { projectId, testsetId, metricId } = await env.seed(3);
    const result = await env.client.runAndEvaluate({
      projectId,
      testsetId,
      metricIds: [metricId],
      systemTimeoutMs: 50,
      system: async (inputs, _version, { signal }) => {
        const n = caseNumber(inputs);
        if (n === 1) await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return `answer-${n}`;
      },
    });
    expect(result.numErrored).toBe(1);
    const records = await env.client.records.list(result.runId).toArray();
    expect(records.find((r) => r.status === 'errored')?.error).toBe('the system did not answer within 50 ms');
  });

  it('cancels the run when the caller aborts, since it could never complete', async () => {
    const { projectId, testsetId, metricId } = await env.seed(20);
    const controller = new AbortController();
    const pending = env.client.runAndEvaluate({
      projectId,
      testsetId,
      metricIds: [metricId],
      concurrency: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.completed === 2) controller.abort(new Error('deploy cancelled'));
      },
      system: (inputs) => `answer-${caseNumber(inputs)}`,
    });
    await expect(pending).rejects.toThrow('deploy cancelled');
    const [run] = await env.client.runs.list(projectId).toArray(1);
    expect(run).toMatchObject({ status: 'cancelled' });
    expect(run!.numRecords).toBeLessThan(20);
  });

  it('makes inline testcases into a testset first, and repeats each testcase per trial', async () => {
    const { projectId } = await env.seed(1);
    const metric = await createMetric(env.api, projectId, {
      name: 'Sum',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'exact_match', expectedField: 'sum' },
    });
    const testcases = [1, 2, 3].map((a) => ({
      inputs: { a, b: 10 },
      expected: { sum: String(a + 10) },
      metadata: { tag: 'x' },
    }));
    const result = await env.client.runAndEvaluate({
      projectId,
      testcases,
      metricIds: [metric.id],
      trials: 2,
      testsetName: 'sums',
      system: (inputs) => String(Number(inputs.a) + Number(inputs.b)),
    });
    const run = await env.client.waitForRun(result.runId, { pollMs: 100 });
    // runAndEvaluate finished the run itself once every record was in.
    expect(run).toMatchObject({ status: 'completed', numRecords: 6, numExpectedRecords: 6, closedBy: 'client' });
    await expect(
      env.client.records.create(result.runId, { inputs: { a: 1, b: 10 }, expected: {}, outputs: {} }),
    ).rejects.toMatchObject({ status: 409, code: 'run_closed' });
    expect(run.aggregates?.[run.metricVersionIds[0]!]).toMatchObject({ passRate: 1, n: 6 });
    const testset = await env.client.testsets.get(run.testsetId!);
    expect(testset).toMatchObject({
      name: 'sums',
      numTestcases: 3,
      fieldMapping: { inputs: ['a', 'b'], expected: ['sum'], metadata: ['tag'] },
    });
    const records = await env.client.records.list(result.runId).toArray();
    expect(records.map((r) => r.trial).sort()).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('refuses what cannot work before creating anything', async () => {
    const { projectId, testsetId, metricId } = await env.seed(1);
    const hosted = await createSystemVersion(env.api, projectId, 'hosted', {
      type: 'http',
      url: 'http://127.0.0.1:9/never',
    });
    const base = { projectId, metricIds: [metricId], system: () => 'x' };
    await expect(env.client.runAndEvaluate({ ...base, testsetId, systemVersionId: hosted })).rejects.toThrow(
      /hosted http system/,
    );
    await expect(env.client.runAndEvaluate({ ...base, testsetId, testcases: [] })).rejects.toBeInstanceOf(
      VerdictUsageError,
    );
    await expect(env.client.runAndEvaluate({ ...base, testsetId, metricIds: [] })).rejects.toThrow(
      /at least one metric/,
    );
    expect(await env.client.runs.list(projectId).toArray()).toEqual([]);
  });

  it('hands an external system version to the system function', async () => {
    const { projectId, testsetId, metricId } = await env.seed(3);
    const versionId = await createSystemVersion(env.api, projectId, 'mine', { type: 'external' });
    const seen = new Set<string>();
    const result = await env.client.runAndEvaluate({
      projectId,
      testsetId,
      metricIds: [metricId],
      systemVersionId: versionId,
      system: (inputs, version) => {
        seen.add(version?.id ?? 'none');
        return `answer-${caseNumber(inputs)}`;
      },
    });
    const run = await env.client.waitForRun(result.runId, { pollMs: 100 });
    expect([...seen]).toEqual([versionId]);
    expect(run).toMatchObject({ status: 'completed', systemVersionId: versionId });
  });
});

describe('runAndEvaluate when a record cannot be posted', () => {
  it('names the testcase that is missing and why, and cancels the run', async () => {
    const { projectId, testsetId, metricId } = await env.seed(5);
    let refusedId = '';
    const attempt = env.client.runAndEvaluate({
      projectId,
      testsetId,
      metricIds: [metricId],
      concurrency: 1,
      // Over the API's 1 MiB body limit: the server refuses this one record (413).
      system: async (inputs, _version, { testcase }) => {
        if (caseNumber(inputs) !== 3) return `answer-${caseNumber(inputs)}`;
        refusedId = testcase.id;
        return 'x'.repeat(1_200_000);
      },
    });
    const error: Error = await attempt.then(
      () => new Error('runAndEvaluate succeeded'),
      (e: Error) => e,
    );
    expect(error.message).toMatch(
      new RegExp(`^testcase ${refusedId} \\(trial 0\\) was not recorded, so run \\w+ is cancelled: `),
    );
  });
});
