import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scorePostedRecords } from '../../lambdas/core/pipeline/posted-records.js';
import { scoreRecordsMessages } from '../../lambdas/core/pipeline/worker.js';
import { createMetric, EXACT_METRIC, seedTestset } from '../pipeline/support.js';
import { type ApiClient, apiClient, collectPages, startTestStack, waitForRun } from '../support/stack.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(() => stack?.stop());

async function sdkRun(n: number) {
  const { projectId, testsetId } = await seedTestset(api, n);
  const metric = await createMetric(api, projectId, EXACT_METRIC);
  const run = (await api.post(`/projects/${projectId}/runs`, { testsetId, metricIds: [metric.id] })).body;
  const testcases = (await api.get(`/testsets/${testsetId}/testcases?limit=100`)).body.data;
  const post = (tc: any, response: string, extra: Record<string, unknown> = {}) =>
    api.post(`/runs/${run.id}/records`, {
      testcaseId: tc.id,
      inputs: tc.inputs,
      expected: tc.expected,
      outputs: { response },
      ...extra,
    });
  return { projectId, metric, run, testcases, post };
}

describe('records posted by a client', () => {
  it('numbers a testcase’s repeated records as its trials, in arrival order, and keeps a trial the client gives', async () => {
    const { run, testcases, post } = await sdkRun(2);
    const [a, b] = testcases;
    const trialsOf = async (...posts: Array<Promise<{ status: number; body: any }>>) => {
      const out: number[] = [];
      for (const p of posts) {
        const res = await p;
        expect(res.status).toBe(201);
        out.push(res.body.trial);
      }
      return out;
    };
    expect(await trialsOf(post(a, 'x'))).toEqual([0]);
    expect(await trialsOf(post(a, 'x'))).toEqual([1]);
    expect(await trialsOf(post(b, 'x'))).toEqual([0]);
    expect(await trialsOf(post(a, 'x'))).toEqual([2]);
    expect(await trialsOf(post(b, 'x', { trial: 7 }))).toEqual([7]);
    // Inline testcases (no id) are told apart by their inputs and expected outputs.
    const inline = (q: string) =>
      api.post(`/runs/${run.id}/records`, { inputs: { q }, expected: { a: q }, outputs: {} });
    expect(await trialsOf(inline('one'), inline('two'), inline('one'))).toEqual([0, 0, 1]);

    const now = (await api.get(`/runs/${run.id}`)).body;
    expect(now.trials).toBe(8);
    // What the run was created expecting: repeats never make it wait for records that may not come.
    expect(now.numExpectedRecords).toBe(2);
    const records = await collectPages<any>(api, `/runs/${run.id}/records`);
    expect(records.map((r) => r.trial)).toEqual([0, 1, 0, 2, 7, 0, 0, 1]);
  });

  it('reopens a completed run when a record arrives late, and completes it again with every record counted', async () => {
    const { metric, run, testcases, post } = await sdkRun(2);
    for (const tc of testcases) expect((await post(tc, tc.expected.answer)).status).toBe(201);
    const first = await waitForRun(api, run.id);
    expect(first).toMatchObject({ status: 'completed', numRecords: 2 });
    expect(first.aggregates[metric.versionId]).toMatchObject({ n: 2, passRate: 1 });

    const late = await post(testcases[0], 'wrong');
    expect(late.body.trial).toBe(1);
    // Answered only once the run is reopened: a client that reads it now never sees the old figures as final
    // (it reads the run reopened, or already completed again if the late record was scored in the meantime).
    const reopened = (await api.get(`/runs/${run.id}`)).body;
    if (reopened.status === 'completed') expect(reopened).toMatchObject({ numRecords: 3, numScores: 3 });
    else expect(reopened.aggregates).toBeNull();

    const again = await waitForRun(api, run.id);
    expect(again).toMatchObject({ status: 'completed', numRecords: 3, numScores: 3, trials: 2 });
    expect(again.aggregates[metric.versionId]).toMatchObject({ n: 3, passed: 2, failed: 1 });
  });

  it('clears the failure reason of a failed run that a late record reopens', async () => {
    const { metric, run, testcases, post } = await sdkRun(1);
    const errored = await post(testcases[0], 'x', { status: 'errored', error: 'the agent crashed' });
    expect(errored.status, JSON.stringify(errored.body)).toBe(201);
    const failed = await waitForRun(api, run.id);
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'the agent crashed' });

    expect((await post(testcases[0], testcases[0].expected.answer)).status).toBe(201);
    const reopened = (await api.get(`/runs/${run.id}`)).body;
    expect(reopened.failureReason).toBeNull();
    const again = await waitForRun(api, run.id);
    expect(again).toMatchObject({ status: 'completed', failureReason: null, numRecords: 2 });
    expect(again.aggregates[metric.versionId]).toMatchObject({ n: 1, passed: 1 });
  });

  it('answers a burst of concurrent POSTs each with its own record, all counted once', async () => {
    const { metric, run, testcases, post } = await sdkRun(50);
    const responses = await Promise.all(testcases.flatMap((tc: any) => [post(tc, tc.expected.answer), post(tc, 'no')]));
    expect(responses.every((r) => r.status === 201)).toBe(true);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(100);
    const done = await waitForRun(api, run.id);
    expect(done).toMatchObject({ status: 'completed', numRecords: 100, numScores: 100, trials: 2 });
    expect(done.aggregates[metric.versionId]).toMatchObject({ n: 100, passed: 50, failed: 50 });
    const records = await collectPages<any>(api, `/runs/${run.id}/records`);
    const trials = new Map<string, number[]>();
    for (const r of records) trials.set(r.testcaseId, [...(trials.get(r.testcaseId) ?? []), r.trial].sort());
    expect([...trials.values()].every((t) => t.join() === '0,1')).toBe(true);
    // A missing run fails every POST of the burst with its own 404.
    const missing = await Promise.all([1, 2, 3].map(() => api.post('/runs/nope/records', { outputs: {} })));
    expect(missing.map((r) => r.status)).toEqual([404, 404, 404]);
  });

  it('counts a message of posted records once, however often it is delivered', async () => {
    const { metric, run, testcases, post } = await sdkRun(3);
    const ids: string[] = [];
    for (const tc of testcases) ids.push((await post(tc, tc.expected.answer)).body.id);
    const scored = await waitForRun(api, run.id);
    expect(scored).toMatchObject({ status: 'completed', numScores: 3 });
    // Each record was posted alone, so each went to the scorer in a message of its own. The same messages again
    // (an SQS redelivery), and twice at once (a duplicate delivery):
    const messages = ids.map((id) =>
      JSON.parse(scoreRecordsMessages({ orgId: 'default' }, run.id, [id], { posted: true })[0]!),
    );
    const deps = stack.pipeline!.deps;
    for (const message of messages) await scorePostedRecords(deps, message);
    await Promise.all(
      messages.flatMap((message) => [scorePostedRecords(deps, message), scorePostedRecords(deps, message)]),
    );
    const after = (await api.get(`/runs/${run.id}`)).body;
    expect(after).toMatchObject({ status: 'completed', numScores: 3 });
    expect(after.statusExplanation[metric.versionId]).toMatchObject({ scored: 3, errored: 0 });
  });
});
