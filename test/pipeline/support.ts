import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createPipelineDeps } from '../../lambdas/aws/pipeline-deps.js';
import type { PipelineHooks } from '../../lambdas/core/pipeline/deps.js';
import { DEFAULT_ORG } from '../../lambdas/core/services/api-keys.js';
import type { FakeLLM } from '../support/fake-llm.js';
import { type ApiClient, apiClient, startTestStack, waitFor } from '../support/stack.js';

/** Creates a project with a testset of `n` testcases {question: "question i"} → {answer: "answer-i"}. */
export async function seedTestset(api: ApiClient, n: number) {
  const project = (await api.post('/projects', { name: 'pipeline' })).body;
  const testset = (
    await api.post(`/projects/${project.id}/testsets`, {
      name: 'qa',
      fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
    })
  ).body;
  for (let start = 0; start < n; start += 100) {
    const items = Array.from({ length: Math.min(100, n - start) }, (_, i) => ({
      jsonData: { question: `question ${start + i}`, answer: `answer-${start + i}` },
    }));
    await api.post(`/testsets/${testset.id}/testcases`, { items });
  }
  return { projectId: project.id as string, testsetId: testset.id as string };
}

export async function createMetric(api: ApiClient, projectId: string, body: Record<string, unknown>) {
  const res = await api.post(`/projects/${projectId}/metrics`, body);
  if (res.status !== 201) throw new Error(`metric: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; versionId: string };
}

export async function createSystemVersion(
  api: ApiClient,
  projectId: string,
  name: string,
  config: Record<string, unknown>,
) {
  const res = await api.post(`/projects/${projectId}/systems`, { name, config });
  if (res.status >= 300) throw new Error(`system: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.productionVersion.id as string;
}

/** The testcase number a prompt or request body is about. */
export const questionNumber = (text: string) => Number(/question (\d+)/.exec(text)?.[1] ?? -1);

/** A system that asks gpt-4o-mini the testcase's question (the fake LLM answers it). */
export const CHAT_SYSTEM = {
  type: 'openai_chat',
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: '{{ question }}' }],
};

/** A heuristic that passes when the output equals the testcase's answer. */
export const EXACT_METRIC = {
  name: 'exact',
  evalType: 'heuristic',
  outputType: 'boolean',
  heuristic: { kind: 'exact_match', expectedField: 'answer' },
};

/**
 * A run on a stack without the pipeline: the test drives PrepareRun and the workers itself, to act between
 * them. The system is CHAT_SYSTEM on `llm` (no LLM configured without one). `cleanup` receives the stack's stop.
 */
export async function startDrivenRun(
  cleanup: Array<() => unknown>,
  testcases: number,
  metricBodies: Array<Record<string, unknown>>,
  llm?: FakeLLM,
  options: { maxConcurrency?: number; hooks?: PipelineHooks } = {},
) {
  const stack = await startTestStack({ pipeline: false });
  cleanup.push(() => stack.stop());
  const api = apiClient(stack.url, stack.apiKey);
  const { projectId, testsetId } = await seedTestset(api, testcases);
  const versionId = await createSystemVersion(api, projectId, 'chat', CHAT_SYSTEM);
  const metrics: Array<{ id: string; versionId: string }> = [];
  for (const body of metricBodies) metrics.push(await createMetric(api, projectId, body));
  const run = (
    await api.post(`/projects/${projectId}/runs`, {
      testsetId,
      systemVersionId: versionId,
      metricIds: metrics.map((m) => m.id),
      ...(options.maxConcurrency && { maxConcurrency: options.maxConcurrency }),
    })
  ).body;
  const deps = createPipelineDeps(stack.core.repositories, {
    openaiApiKey: llm ? 'k' : '',
    openaiBaseURL: llm && `${llm.url}/v1`,
    outbound: stack.outbound,
    projectSecrets: stack.projectSecrets,
    hooks: options.hooks,
  });
  return { api, testsetId, metrics, run, deps, task: { orgId: DEFAULT_ORG, runId: run.id } };
}

/**
 * The team's agent that answers nothing until released, on 127.0.0.1: a run calling it stays in
 * running_execution (what a run whose execution died looks like from the table).
 */
export async function startHoldingAgent() {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    held.push(res);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** A hosted run over 3 testcases whose agent has received its first call (and will not answer it). */
    async hangingRun(api: ApiClient) {
      const { projectId, testsetId } = await seedTestset(api, 3);
      const metric = await createMetric(api, projectId, EXACT_METRIC);
      const systemVersionId = await createSystemVersion(api, projectId, `agent-${held.length}`, {
        type: 'http',
        url,
        body: '{"q": {{ question | dump }}}',
        outputPath: '$.answer',
        timeoutMs: 600_000,
      });
      const before = held.length;
      const created = await api.post(`/projects/${projectId}/runs`, {
        testsetId,
        systemVersionId,
        metricIds: [metric.id],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await waitFor(async () => (held.length > before ? true : undefined), 'the agent to be called');
      return created.body as { id: string; generation: number };
    },
    /** Lets the held calls go, so the workers finish before the stack stops. */
    release() {
      for (const res of held) res.writableEnded || res.end(JSON.stringify({ answer: 'late' }));
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
