import { createApiKey } from '../../lambdas/core/services/api-keys.js';
import { type ApiClient, apiClient, collectPages, startTestStack, waitForRun } from '../support/stack.js';

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;

/** A stack with two organizations: A (the admin key's) and B, each with its own API client. */
export async function twoOrganizations(options: Parameters<typeof startTestStack>[0] = {}) {
  const stack = await startTestStack({ authCacheMs: 0, ...options });
  const a = apiClient(stack.url, stack.apiKey);
  const b = apiClient(stack.url, (await createApiKey(stack.deps.apiKeys, 'org-b', 'attacker')).secret);
  return { stack, a, b };
}

/** A project with a one-testcase testset and an exact-match metric, ready for a run. */
export async function seedProject(api: ApiClient, jsonData: Record<string, unknown> = { question: 'q', answer: 'a' }) {
  const project = (await api.post('/projects', { name: 'security' })).body;
  const testset = (
    await api.post(`/projects/${project.id}/testsets`, {
      name: 'one',
      fieldMapping: { inputs: ['question'], expected: ['answer'], metadata: [] },
    })
  ).body;
  const created = await api.post(`/testsets/${testset.id}/testcases`, { items: [{ jsonData }] });
  if (created.status !== 201) throw new Error(`testcases: ${created.status} ${JSON.stringify(created.body)}`);
  const metric = await api.post(`/projects/${project.id}/metrics`, {
    name: 'exact',
    evalType: 'heuristic',
    outputType: 'boolean',
    heuristic: { kind: 'exact_match', expectedField: 'answer' },
  });
  return { projectId: project.id as string, testsetId: testset.id as string, metricId: metric.body.id as string };
}

export type Seeded = Awaited<ReturnType<typeof seedProject>>;

/** Creates a system with `config` in the project; the response (a 400 is the point of some tests). */
export function createSystem(api: ApiClient, projectId: string, config: Record<string, unknown>, name = 'sys') {
  return api.post(`/projects/${projectId}/systems`, { name, config });
}

/** Runs a system version over the project's testset and returns the one record it made. */
export async function runVersion(api: ApiClient, seeded: Seeded, systemVersionId: string) {
  const run = await api.post(`/projects/${seeded.projectId}/runs`, {
    testsetId: seeded.testsetId,
    systemVersionId,
    metricIds: [seeded.metricId],
  });
  if (run.status !== 201) throw new Error(`run: ${run.status} ${JSON.stringify(run.body)}`);
  await waitForRun(api, run.body.id);
  const [record] = await collectPages<{ status: string; error: string | null; outputs: unknown }>(
    api,
    `/runs/${run.body.id}/records`,
  );
  if (!record) throw new Error('the run has no record');
  return record;
}

/** Creates a system with `config` and runs it once (see runVersion). */
export async function runOnce(api: ApiClient, seeded: Seeded, config: Record<string, unknown>) {
  const system = await createSystem(api, seeded.projectId, config, `sys-${Math.random().toString(36).slice(2)}`);
  if (system.status !== 201) throw new Error(`system: ${system.status} ${JSON.stringify(system.body)}`);
  return runVersion(api, seeded, system.body.productionVersion.id);
}

/** Headers of a DynamoDB JSON API call as the SDK sends them; dynalite checks their shape, not the signature. */
export const dynamoHeaders = (operation: string) => ({
  'x-amz-target': `DynamoDB_20120810.${operation}`,
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-date': '20250101T000000Z',
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
});
