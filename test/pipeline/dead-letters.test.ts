import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_DEFINITIONS } from '../../lambdas/aws/queue-definitions.js';
import { type ApiClient, apiClient, collectPages, startTestStack, waitForRun } from '../support/stack.js';
import { createMetric, EXACT_METRIC } from './support.js';

/**
 * A poisoned message: its scoring fails on every delivery, so after the queue's maxReceiveCount it goes to the
 * scorer's dead-letter queue, whose consumer marks its unscored records errored with the reason, and the run
 * (fed through the API) still completes, honestly counted.
 */
let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let scoringAttempts = 0;

beforeAll(async () => {
  stack = await startTestStack({
    pipeline: {
      hooks: {
        beforeRecord(phase, record) {
          if (phase === 'score' && record.inputs.question === 'poison') {
            scoringAttempts++;
            throw new Error('this record poisons its scoring message');
          }
        },
      },
    },
  });
  api = apiClient(stack.url, stack.apiKey);
});
afterAll(() => stack?.stop());

describe('the dead-letter consumer', () => {
  it('marks a poisoned message’s records errored with the reason, and the run completes', async () => {
    // Prepare: a run fed from outside, two good records and a poisoned one (each POST its own message)
    const project = (await api.post('/projects', { name: 'dead letters' })).body;
    const metric = await createMetric(api, project.id, EXACT_METRIC);
    const run = (await api.post(`/projects/${project.id}/runs`, { testsetId: null, metricIds: [metric.id] })).body;
    for (const question of ['one', 'two', 'poison']) {
      const res = await api.post(`/runs/${run.id}/records`, {
        inputs: { question },
        expected: { answer: question },
        outputs: { response: question },
      });
      expect(res.status).toBe(201);
    }

    // Act
    expect((await api.post(`/runs/${run.id}/finish`)).status).toBe(200);
    const done = await waitForRun(api, run.id, ['completed', 'failed', 'cancelled'], 120_000);

    // Assess: every delivery was tried, then the consumer settled the record and the run
    expect(scoringAttempts).toBe(QUEUE_DEFINITIONS.scorer.maxReceiveCount);
    expect(done).toMatchObject({ status: 'completed', numRecords: 3, numErroredRecords: 1 });
    expect(done.aggregates[metric.versionId]).toMatchObject({ n: 2, passed: 2 });
    expect(done.statusReason).toContain('1 of 3 records errored');
    const records = await collectPages<any>(api, `/runs/${run.id}/records`);
    const poisoned = records.find((r) => r.inputs.question === 'poison');
    expect(poisoned).toMatchObject({
      status: 'errored',
      error: `not scored: its scorer message failed all ${QUEUE_DEFINITIONS.scorer.maxReceiveCount} deliveries and went to the dead-letter queue`,
      scores: [],
    });
    expect(records.filter((r) => r.status === 'completed')).toHaveLength(2);
  }, 150_000);
});
