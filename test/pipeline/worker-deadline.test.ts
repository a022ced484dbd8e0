import { afterAll, describe, expect, it } from 'vitest';
import { OutOfTimeError } from '../../lambdas/core/errors.js';
import { DEADLINE_MARGIN_MS } from '../../lambdas/core/pipeline/deps.js';
import { executeBatch } from '../../lambdas/core/pipeline/execute-batch.js';
import { prepareRun } from '../../lambdas/core/pipeline/prepare-run.js';
import { handleWorkerMessage } from '../../lambdas/core/pipeline/worker.js';
import { LocalTaskCallbacks } from '../../local/stepfunctions/task-callbacks.js';
import { type FakeLLM, startFakeLLM } from '../support/fake-llm.js';
import { collectPages } from '../support/stack.js';
import { questionNumber, startDrivenRun } from './support.js';

const cleanup: Array<() => unknown> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function answeringLLM(delayMs: number): Promise<FakeLLM> {
  const llm = await startFakeLLM({
    responder: (body) => ({ content: `answer-${questionNumber(body.messages.at(-1)!.content)}`, delayMs }),
  });
  cleanup.push(() => llm.close());
  return llm;
}

/** Step Functions' callbacks as the local driver implements them, counting the heartbeats a worker sends. */
class CountingCallbacks extends LocalTaskCallbacks {
  heartbeats = 0;
  override async heartbeat(taskToken: string) {
    this.heartbeats++;
    await super.heartbeat(taskToken);
  }
}

describe('a worker that knows its deadline', () => {
  it('stops taking records when its time runs low, keeps what it finished, and a redelivery does only the rest', async () => {
    const llm = await answeringLLM(20);
    const { api, run, deps, task } = await startDrivenRun(cleanup, 50, [], llm, { maxConcurrency: 4 });
    await prepareRun(deps, { ...task, mode: 'execute' });
    // Ten minutes left until the 12th call, then less than the margin: the invocation is about to end.
    const remainingMs = () => (llm.requests.length < 12 ? 600_000 : DEADLINE_MARGIN_MS - 1);

    await expect(executeBatch(deps, { ...task, batch: 0 }, 1, remainingMs)).rejects.toBeInstanceOf(OutOfTimeError);
    const saved = await collectPages<any>(api, `/runs/${run.id}/records`);
    // Every call made was saved (calls under way when time ran low were finished), and no more were started.
    expect(saved).toHaveLength(llm.requests.length);
    expect(saved.length).toBeGreaterThanOrEqual(12);
    expect(saved.length).toBeLessThanOrEqual(12 + 4);
    expect(saved.every((r) => r.status === 'completed')).toBe(true);

    const outcome = await executeBatch(deps, { ...task, batch: 0 }, 2, () => 600_000);
    expect(outcome).toMatchObject({ completed: 50, errored: 0 });
    expect(llm.requests).toHaveLength(50); // nothing saved was asked again
    const after = (await api.get(`/runs/${run.id}`)).body;
    expect(after.numExecuted).toBe(50);
  });

  it('reports a fault that can pass as Verdict.Transient on the last delivery, one that cannot as Verdict.Fatal at once', async () => {
    const llm = await answeringLLM(0);
    let crash = true;
    const { deps, task } = await startDrivenRun(cleanup, 5, [], llm, {
      hooks: {
        beforeRecord() {
          if (crash) throw new Error('worker crashed mid-batch');
        },
      },
    });
    await prepareRun(deps, { ...task, mode: 'execute' });
    const callbacks = new CountingCallbacks();
    const message = (token: string, runId = task.runId) =>
      JSON.stringify({ kind: 'execute', orgId: task.orgId, runId, batch: 0, taskToken: token });

    // Not the last delivery: thrown, so SQS delivers the message again; the task is still waiting.
    const first = callbacks.waitFor('t1', 60_000);
    await expect(
      handleWorkerMessage(deps, callbacks, { body: message('t1'), receiveCount: 1, maxReceiveCount: 5 }),
    ).rejects.toThrow('worker crashed mid-batch');
    expect(callbacks.waitingCount).toBe(1);
    // The last delivery: the state machine's Retry (on Verdict.Transient) sends the batch again.
    await handleWorkerMessage(deps, callbacks, { body: message('t1'), receiveCount: 5, maxReceiveCount: 5 });
    await expect(first).rejects.toMatchObject({ name: 'Verdict.Transient', message: 'worker crashed mid-batch' });

    // A run that does not exist cannot appear by trying again: Fatal on the first delivery.
    const fatal = callbacks.waitFor('t2', 60_000);
    await handleWorkerMessage(deps, callbacks, {
      body: message('t2', 'no-such-run'),
      receiveCount: 1,
      maxReceiveCount: 5,
    });
    await expect(fatal).rejects.toMatchObject({ name: 'Verdict.Fatal', message: 'run no-such-run does not exist' });

    // A worker that picks a batch up says so at once (the task may have waited in the queue), then succeeds.
    crash = false;
    const beatsBefore = callbacks.heartbeats;
    const ok = callbacks.waitFor('t3', 60_000);
    await handleWorkerMessage(deps, callbacks, { body: message('t3'), receiveCount: 1, maxReceiveCount: 5 });
    expect(await ok).toMatchObject({ completed: 5 });
    expect(callbacks.heartbeats).toBe(beatsBefore + 1);
  });
});
