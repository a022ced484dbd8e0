import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lambdas/core/services/api-keys.js';
import {
  fetchOpenApi,
  fillPath,
  isWrite,
  type OpenApiDocument,
  type Operation,
  operations,
  seedResources,
  skeleton,
  stateChanges,
  storedState,
} from '../support/openapi.js';
import { type ApiClient, apiClient, startTestStack } from '../support/stack.js';

/**
 * Tenant isolation over every operation of the OpenAPI document (tenancy.test.ts walks a hand-picked list):
 * another organization's key gets a 404 on every path naming one of Alice's ids, whatever the method, and
 * changes nothing; its lists never show an object of hers, even filtered by her ids; a revoked key gets 401
 * everywhere.
 */

let stack: Awaited<ReturnType<typeof startTestStack>>;
let alice: ApiClient;
let bob: ApiClient;
let doc: OpenApiDocument;
let all: Operation[] = [];
let aliceIds: Record<string, string>;
let bobIds: Record<string, string>;
let bobKey: string;

beforeAll(async () => {
  stack = await startTestStack({ authCacheMs: 0 });
  alice = apiClient(stack.url, stack.apiKey);
  bobKey = (await createApiKey(stack.deps.apiKeys, 'org-bob', 'bob')).secret;
  bob = apiClient(stack.url, bobKey);
  doc = await fetchOpenApi(stack.url);
  all = operations(doc).filter((op) => op.path !== '/openapi.json');
  aliceIds = await seedResources(stack, alice, 'alice');
  bobIds = await seedResources(stack, bob, 'bob');
});
afterAll(() => stack?.stop());

const label = (op: Operation, path: string) => `${op.method} ${path}`;

/**
 * Bodies and queries the owner's request would succeed with, where the schema's skeleton would be refused by
 * validation first (which answers the same for any id, so it would prove nothing).
 */
const VALID: Record<string, { body?: unknown; query?: Record<string, string> }> = {
  'POST /projects/{projectId}/monitors': { body: { name: 'm', schedule: 'rate(1 hour)', active: false } },
  'POST /projects/{projectId}/playground': { body: { config: { type: 'external' }, inputs: { q: 'x' } } },
  'GET /runs/{runId}/compare': { query: { baseline: 'runId' } },
  'PUT /projects/{projectId}/github': {
    body: { owner: 'acme', repo: 'bot', workflow: 'verdict.yml', ref: 'main', token: 'ghp_tenancy_probe' },
  },
};
const bodyFor = (op: Operation) =>
  VALID[`${op.method} ${op.path}`]?.body ?? (isWrite(op) && op.bodySchema ? skeleton(doc, op.bodySchema) : undefined);
/** The query string, its values named by id (`baseline: 'runId'` is the run id of the same organization). */
const queryFor = (op: Operation, ids: Record<string, string>) => {
  const query = VALID[`${op.method} ${op.path}`]?.query ?? {};
  const entries = Object.entries(query).map(([k, id]): [string, string] => [k, ids[id]!]);
  return entries.length ? `?${new URLSearchParams(entries)}` : '';
};

/** Alice's ids as JSON would show them: anything of hers in a response names one of these. */
const aliceValues = () => Object.values(aliceIds).filter((id) => id.length > 12);

describe('another organization’s key', () => {
  it('gets 404 on every path naming one of Alice’s ids, any method, and changes nothing', async () => {
    const withIds = all.filter((op) => op.pathParams.length > 0);
    expect(withIds.length).toBeGreaterThanOrEqual(40);
    await stack.pipeline?.whenIdle();
    const before = await storedState(stack);
    const answers: string[] = [];
    for (const op of withIds) {
      // Every id Alice's, then each one of hers among Bob's own (a foreign record under Bob's metric, ...).
      // (A secret's name is no id: both organizations have an API_TOKEN.)
      const mixes = [
        aliceIds,
        ...(op.pathParams.length > 1
          ? op.pathParams.filter((p) => aliceIds[p] !== bobIds[p]).map((p) => ({ ...bobIds, [p]: aliceIds[p]! }))
          : []),
      ];
      for (const ids of mixes) {
        const path = fillPath(op.path, ids) + queryFor(op, ids);
        const res = await bob.raw(op.method, path, bodyFor(op));
        if (res.status !== 404) answers.push(`${label(op, path)} → ${res.status} ${JSON.stringify(res.body)}`);
        else expect(JSON.stringify(res.body)).not.toContain('hunter2');
      }
    }
    expect(answers).toEqual([]);
    await stack.pipeline?.whenIdle();
    expect(stateChanges(before, await storedState(stack))).toEqual([]);
  });

  it('never sees an object of Alice’s in a list, even filtered by her ids', async () => {
    const lists = all.filter((op) => op.method === 'GET');
    const alicesIdsOf = (op: Operation) =>
      Object.fromEntries(op.queryParams.filter((q) => aliceIds[q]).map((q) => [q, aliceIds[q]!]));
    let checked = 0;
    for (const op of lists) {
      for (const query of [{}, alicesIdsOf(op)]) {
        const extra = new URLSearchParams(queryFor(op, bobIds).slice(1));
        const path = `${fillPath(op.path, bobIds)}?${new URLSearchParams({ ...Object.fromEntries(extra), ...query, limit: '100' })}`;
        const res = await bob.get(path);
        expect(res.status, `${label(op, path)} ${JSON.stringify(res.body)}`).toBeLessThan(500);
        const text = JSON.stringify(res.body);
        // An error may repeat the id Bob sent; nothing else of Alice's may appear.
        for (const id of aliceValues().filter((id) => !path.includes(id))) {
          expect(text, `${label(op, path)} shows ${id}`).not.toContain(id);
        }
        if (Array.isArray(res.body?.data)) checked++;
      }
    }
    // Bob's own lists do list his objects: the check above looked at real pages.
    expect(checked).toBeGreaterThanOrEqual(10);
    expect((await bob.get('/projects')).body.data.map((p: { id: string }) => p.id)).toEqual([bobIds.projectId]);
  });

  it('deletes none of Alice’s testcases through bulk-delete, and writes nothing of hers', async () => {
    const before = await storedState(stack);
    const res = await bob.post('/testcases/bulk-delete', { ids: [aliceIds.testcaseId] });
    expect(res.status).toBeLessThan(500);
    expect(stateChanges(before, await storedState(stack))).toEqual([]);
    expect((await alice.get(`/testcases/${aliceIds.testcaseId}`)).status).toBe(200);
  });
});

describe('a revoked key', () => {
  it('gets 401 on every operation of the document', async () => {
    const key = await createApiKey(stack.deps.apiKeys, 'org-bob', 'soon revoked');
    const revoked = apiClient(stack.url, key.secret);
    expect((await revoked.get('/projects')).status).toBe(200);
    expect(await stack.deps.apiKeys.revoke(key.keyId)).toBe(true);
    const answers: string[] = [];
    for (const op of all) {
      for (const ids of [bobIds, aliceIds]) {
        const path = fillPath(op.path, ids) + queryFor(op, ids);
        const res = await revoked.raw(op.method, path, bodyFor(op));
        if (res.status !== 401) answers.push(`${label(op, path)} → ${res.status}`);
      }
    }
    expect(answers).toEqual([]);
  });
});
