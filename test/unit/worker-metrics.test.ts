import { describe, expect, it } from 'vitest';
import { instrumentWorker } from '../../lambdas/aws/worker-metrics.js';
import { TransientError } from '../../lambdas/core/errors.js';
import type { ChatModel } from '../../lambdas/core/llm/port.js';
import type { PipelineDeps } from '../../lambdas/core/pipeline/deps.js';
import type { TaskCallbacks } from '../../lambdas/core/workflow/task-callbacks.js';

/** Only what the instrumentation touches: the LLM (a stand-in for the paid provider) and the task callbacks. */
function workerRuntime(latencies: number[]) {
  const chat: ChatModel = {
    async complete() {
      const latencyMs = latencies.shift();
      if (latencyMs === undefined) throw new TransientError('429 from the provider');
      return { text: '{}', usage: null, latencyMs };
    },
  };
  const reported: unknown[] = [];
  const callbacks: TaskCallbacks = {
    succeed: async (_token, output) => void reported.push(output),
    fail: async () => {},
  };
  return { runtime: { deps: { chat } as unknown as PipelineDeps, callbacks }, reported };
}

describe('worker metrics (EMF)', () => {
  it.each([
    ['executor', { completed: 48, errored: 2, skipped: 0 }, { RecordsExecuted: 48, RecordsErrored: 2 }],
    ['scorer', { scored: 140, errored: 10 }, { ScoresCompleted: 140, ScoresErrored: 10 }],
  ] as const)('the %s reports its batch counts and every LLM call’s latency', async (role, output, expected) => {
    const { runtime, reported } = workerRuntime([120, 80]);
    const worker = instrumentWorker(runtime, role);

    await worker.deps.chat.complete({ model: 'gpt-4o', messages: [] });
    await worker.deps.chat.complete({ model: 'gpt-4o', messages: [] });
    await expect(worker.deps.chat.complete({ model: 'gpt-4o', messages: [] })).rejects.toThrow('429');
    await worker.callbacks.succeed('token', output);
    const emf = worker.metrics.serializeMetrics() as unknown as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string; Unit: string }> }> };
    };

    expect(reported).toEqual([output]);
    expect(emf._aws.CloudWatchMetrics[0]!.Namespace).toBe('Verdict');
    expect(emf).toMatchObject({ ...expected, LlmLatency: [120, 80], LlmCallsFailed: 1, service: `verdict-${role}` });
    const units = Object.fromEntries(emf._aws.CloudWatchMetrics[0]!.Metrics.map((m) => [m.Name, m.Unit]));
    expect(units.LlmLatency).toBe('Milliseconds');
  });
});
