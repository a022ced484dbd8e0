import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ChatModel } from '../core/llm/port.js';
import type { PipelineDeps } from '../core/pipeline/deps.js';
import type { TaskCallbacks } from '../core/workflow/task-callbacks.js';
import type { SqsWorkerHandler } from './sqs-worker.js';

export const METRICS_NAMESPACE = 'Verdict';

type Role = 'executor' | 'scorer';

/**
 * CloudWatch metrics of a worker Lambda as EMF lines (Powertools Metrics, written to stdout and turned into
 * metrics by CloudWatch Logs; no PutMetricData call, no extra permission): per batch the records executed and
 * errored (executor) or the scores completed and errored (scorer), read from what the batch reports to the state
 * machine, and the latency of every LLM call, LLM calls that failed counted. Published after each invocation.
 */
export function instrumentWorker(runtime: { deps: PipelineDeps; callbacks: TaskCallbacks }, role: Role) {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: `verdict-${role}` });
  const chat = runtime.deps.chat;
  const timed: ChatModel = {
    async complete(request) {
      try {
        const result = await chat.complete(request);
        metrics.addMetric('LlmLatency', MetricUnit.Milliseconds, result.latencyMs);
        return result;
      } catch (error) {
        metrics.addMetric('LlmCallsFailed', MetricUnit.Count, 1);
        throw error;
      }
    },
  };
  runtime.deps.chat = timed;

  const inner = runtime.callbacks;
  const callbacks: TaskCallbacks = {
    // A class's methods are not own properties: name each one (a spread would drop heartbeat).
    heartbeat: inner.heartbeat ? (token) => inner.heartbeat!(token) : undefined,
    async succeed(token, output) {
      record(metrics, role, output);
      await inner.succeed(token, output);
    },
    fail: (token, error, cause) => {
      metrics.addMetric('BatchesFailed', MetricUnit.Count, 1);
      return inner.fail(token, error, cause);
    },
  };

  /** Wraps the SQS handler so what an invocation stored is published when it ends, however it ends. */
  const publishing =
    (handler: SqsWorkerHandler): SqsWorkerHandler =>
    async (event, context) => {
      try {
        return await handler(event, context);
      } finally {
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      }
    };
  return { deps: runtime.deps, callbacks, metrics, publishing };
}

function record(metrics: Metrics, role: Role, output: unknown) {
  const counts = (output ?? {}) as Record<string, unknown>;
  const count = (name: string, key: string) => {
    const value = counts[key];
    if (typeof value === 'number' && Number.isFinite(value)) metrics.addMetric(name, MetricUnit.Count, value);
  };
  if (role === 'executor') {
    count('RecordsExecuted', 'completed');
    count('RecordsErrored', 'errored');
  } else {
    count('ScoresCompleted', 'scored');
    count('ScoresErrored', 'errored');
  }
}
