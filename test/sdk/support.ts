import { VerdictClient } from '../../sdk/index.js';
import { createMetric, seedTestset } from '../pipeline/support.js';
import { apiClient, startTestStack } from '../support/stack.js';

export const EXACT_METRIC = {
  name: 'Exact answer',
  evalType: 'heuristic',
  outputType: 'boolean',
  heuristic: { kind: 'exact_match', expectedField: 'answer' },
} as const;

/** The testcase number of inputs made by seedTestset: {question: "question 7"} → 7. */
export const caseNumber = (inputs: Record<string, unknown>) => Number(/(\d+)$/.exec(String(inputs.question))?.[1]);

/** A local stack with an SDK client, plus a project seeded with `n` testcases and an exact-match metric. */
export async function startSdkStack() {
  const stack = await startTestStack();
  const api = apiClient(stack.url, stack.apiKey);
  const client = new VerdictClient({ baseURL: stack.url, apiKey: stack.apiKey, env: {} });
  async function seed(n: number) {
    const { projectId, testsetId } = await seedTestset(api, n);
    const metric = await createMetric(api, projectId, EXACT_METRIC);
    return { projectId, testsetId, metricId: metric.id };
  }
  return { stack, api, client, seed };
}
