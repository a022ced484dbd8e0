import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../local/monitors.js';
import { createMetric, EXACT_METRIC, seedTestset } from '../pipeline/support.js';
import { type ApiClient, apiClient, fieldPaths, startTestStack, waitForRun } from '../support/stack.js';

/**
 * Runs fed from outside (records posted through the API) finish honestly: without a testset they finish when
 * their client says so (POST /runs/{id}/finish, or Scorecard's PATCH {status: "awaiting_scoring"}) or after
 * RUN_IDLE_CLOSE_MINUTES without a record, swept on the scheduler's clock (a manual one here).
 */
const MINUTE = 60_000;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(new Date());
  stack = await startTestStack({ monitors: { clock, idleCloseMinutes: 60, sweepEveryMinutes: 5 } });
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(() => stack?.stop());

/** A project with an exact-match metric and a run with no testset (as Scorecard's SDK makes for inline testcases). */
async function testsetlessRun() {
  const project = (await api.post('/projects', { name: 'fed from outside' })).body;
  const metric = await createMetric(api, project.id, EXACT_METRIC);
  const created = await api.post(`/projects/${project.id}/runs`, { testsetId: null, metricIds: [metric.id] });
  expect(created.status).toBe(201);
  expect(created.body.numExpectedRecords).toBeNull();
  return { projectId: project.id as string, metric, run: created.body as { id: string } };
}

/** Posts n records, the answer right for every even i. */
async function postRecords(runId: string, n: number, from = 0) {
  for (let i = from; i < from + n; i++) {
    const res = await api.post(`/runs/${runId}/records`, {
      inputs: { question: `question ${i}` },
      expected: { answer: `answer-${i}` },
      outputs: { response: i % 2 === 0 ? `answer-${i}` : 'no idea' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
}

/** Every score of the run's records is written (the run itself still open). */
async function scored(runId: string, n: number) {
  for (let i = 0; i < 300; i++) {
    const run = (await api.get(`/runs/${runId}`)).body;
    const progress = Object.values(run.statusExplanation)[0] as { scored: number; errored: number };
    if (progress.scored + progress.errored >= n) return run;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${runId} was not scored`);
}

describe('finishing a run fed from outside', () => {
  it.each([
    ['POST /runs/{id}/finish', (id: string) => api.post(`/runs/${id}/finish`)],
    [
      'PATCH /runs/{id} {status: "awaiting_scoring"} (Scorecard’s)',
      (id: string) => api.patch(`/runs/${id}`, { status: 'awaiting_scoring' }),
    ],
  ])('a testset-less run of 10 records completes after %s, with aggregates, in run history', async (_how, finish) => {
    // Prepare
    const { projectId, metric, run } = await testsetlessRun();
    await postRecords(run.id, 10);
    const open = await scored(run.id, 10);
    // Every record scored, yet open: more may come, so it is not complete and says how to finish it.
    expect(open.status).toBe('running_execution');
    expect(open.statusReason).toContain(`POST /runs/${run.id}/finish`);

    // Act
    const finished = await finish(run.id);

    // Assess
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    expect(finished.body.closedAt).toEqual(expect.any(String));
    const done = await waitForRun(api, run.id);
    expect(done).toMatchObject({ status: 'completed', numRecords: 10, numScores: 10, closedBy: 'client' });
    expect(done.aggregates[metric.versionId]).toMatchObject({ n: 10, passed: 5, failed: 5, passRate: 0.5 });
    const history = await api.get(`/projects/${projectId}/run-history?metricIds=${metric.id}`);
    expect(history.status).toBe(200);
    expect(history.body.metrics[0].points).toEqual([
      expect.objectContaining({ runId: run.id, value: 0.5, passed: 5, failed: 5, n: 10 }),
    ]);
    // Finishing again is a no-op (clients retry), and the run stays completed.
    const again = await finish(run.id);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('completed');
  });

  it('refuses records posted after finish with a 409 that says not to retry', async () => {
    const { run } = await testsetlessRun();
    await postRecords(run.id, 2);
    expect((await api.post(`/runs/${run.id}/finish`)).status).toBe(200);

    const late = await api.post(`/runs/${run.id}/records`, { inputs: { q: 'late' }, expected: {}, outputs: {} });

    expect(late.status).toBe(409);
    expect(late.headers.get('x-should-retry')).toBe('false');
    expect(late.body).toMatchObject({ code: 'run_closed' });
    const done = await waitForRun(api, run.id);
    expect(done.numRecords).toBe(2);
  });

  it('answers a PATCH with any other status with a 400 naming status, and keeps notes editable', async () => {
    const { run } = await testsetlessRun();
    const bad = await api.patch(`/runs/${run.id}`, { status: 'completed' });
    expect(bad.status).toBe(400);
    expect(fieldPaths(bad.body)).toEqual(['status']);
    const notes = await api.patch(`/runs/${run.id}`, { notes: 'still open' });
    expect(notes.status).toBe(200);
    expect(notes.body).toMatchObject({ notes: 'still open', status: 'pending' });
    expect(notes.body.closedAt ?? null).toBeNull();
  });

  it('refuses to finish a cancelled run, and answers 404 for an unknown one', async () => {
    const { run } = await testsetlessRun();
    await api.post(`/runs/${run.id}/cancel`);
    const cancelled = await api.post(`/runs/${run.id}/finish`);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.code).toBe('run_cancelled');
    expect((await api.post('/runs/no-such-run/finish')).status).toBe(404);
  });

  it('still completes a run with a testset by itself once its expected records are in', async () => {
    const { projectId, testsetId } = await seedTestset(api, 4);
    const metric = await createMetric(api, projectId, EXACT_METRIC);
    const run = (await api.post(`/projects/${projectId}/runs`, { testsetId, metricIds: [metric.id] })).body;
    const testcases = (await api.get(`/testsets/${testsetId}/testcases?limit=100`)).body.data;
    for (const tc of testcases) {
      const res = await api.post(`/runs/${run.id}/records`, {
        testcaseId: tc.id,
        inputs: tc.inputs,
        expected: tc.expected,
        outputs: { response: tc.expected.answer },
      });
      expect(res.status).toBe(201);
    }
    const done = await waitForRun(api, run.id);
    expect(done).toMatchObject({ status: 'completed', numRecords: 4, numExpectedRecords: 4 });
    expect(done.closedAt ?? null).toBeNull();
    expect(done.aggregates[metric.versionId]).toMatchObject({ n: 4, passRate: 1 });
  });
});

describe('closing idle runs', () => {
  it('closes a testset-less run after RUN_IDLE_CLOSE_MINUTES without a record, and says so', async () => {
    // Prepare: the records arrive now (the manual clock started with the stack, moments ago).
    const { metric, run } = await testsetlessRun();
    await postRecords(run.id, 3);
    await scored(run.id, 3);

    // Act + Assess: 59 minutes later (11 sweeps) it is still open…
    await clock.advance(59 * MINUTE);
    const open = (await api.get(`/runs/${run.id}`)).body;
    expect(open.status).toBe('running_execution');
    expect(open.closedAt ?? null).toBeNull();

    // …and the first sweep past the hour closes it, which completes it.
    await clock.advance(7 * MINUTE);
    const done = await waitForRun(api, run.id);
    expect(done).toMatchObject({ status: 'completed', closedBy: 'idle', numRecords: 3 });
    expect(done.statusReason).toMatch(/closed for idleness at .*: no new record since /);
    expect(done.aggregates[metric.versionId]).toMatchObject({ n: 3, passed: 2, failed: 1 });
    const late = await api.post(`/runs/${run.id}/records`, { inputs: {}, expected: {}, outputs: {} });
    expect(late.status).toBe(409);
  });
});
