import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT_RETENTION_DAYS } from '../../lambdas/aws/dynamo/exports.js';
import { createRepositories, type Repositories } from '../../lambdas/aws/repositories.js';
import { newId } from '../../lambdas/core/ids.js';
import type { Run } from '../../lambdas/core/schemas/run.js';
import type { Testcase } from '../../lambdas/core/schemas/testset.js';
import { type Emulators, LOCAL_BUCKET, LOCAL_TABLE, startEmulators } from '../../local/emulators.js';
import { tempDataDir } from '../support/stack.js';

/**
 * One storage contract for every DynamoDB implementation: each implementation is one `storageContract(...)`
 * call at the bottom of this file (dynalite here; DynamoDB Local or a real table would be another).
 */
function storageContract(name: string, setup: () => Promise<{ repos: Repositories; teardown: () => Promise<void> }>) {
  describe(`storage contract: ${name}`, () => {
    let repos: Repositories;
    let teardown: () => Promise<void>;
    const org = { orgId: 'org-a' };
    const other = { orgId: 'org-b' };

    beforeAll(async () => {
      ({ repos, teardown } = await setup());
    });
    afterAll(() => teardown?.());

    const makeRun = (projectId: string, overrides: Partial<Run> = {}): Run => ({
      id: newId(),
      projectId,
      name: null,
      testsetId: null,
      systemId: null,
      systemVersionId: null,
      metricIds: ['m1'],
      metricVersionIds: ['mv1'],
      numRecords: 0,
      numExpectedRecords: null,
      numScores: 0,
      numExecuted: 0,
      numErroredRecords: 0,
      status: 'pending',
      source: 'api',
      notes: '',
      maxConcurrency: 20,
      humanMetricVersionIds: [],
      generation: 0,
      trials: 1,
      createdAt: new Date().toISOString(),
      startedAt: null,
      completedAt: null,
      statusExplanation: {},
      aggregates: null,
      ...overrides,
    });

    it('scopes every read by organization', async () => {
      const project = await repos.projects.create(org, { id: newId(), name: 'p', description: '' });
      expect(await repos.projects.get(org, project.id)).toEqual(project);
      expect(await repos.projects.get(other, project.id)).toBeNull();
      expect((await repos.projects.list(other, { limit: 10 })).items).toEqual([]);
    });

    it('moves testcases too large for DynamoDB to S3 and reads them back whole', async () => {
      const testsetId = newId();
      await repos.testsets.create(org, 'proj', {
        id: testsetId,
        name: 't',
        description: '',
        jsonSchema: {},
        fieldMapping: { inputs: [], expected: [], metadata: [] },
        numTestcases: 0,
      });
      const big = 'é'.repeat(450_000); // ~900 KB of UTF-8, well past the 400 KB item limit
      const tc: Testcase = { id: newId(), testsetId, jsonData: { doc: big }, inputs: { doc: big }, expected: {} };
      await repos.testcases.createMany(org, [tc]);
      expect(await repos.testcases.get(org, tc.id)).toEqual(tc);
      const page = await repos.testcases.list(org, testsetId, { limit: 10 });
      expect(page.items[0]?.jsonData.doc).toBe(big);
      const raw = await repos.table.get(`TESTCASE#${tc.id}`, '#');
      expect(raw?.overflowKey).toBeTruthy();
      expect((await repos.testsets.get(org, testsetId))?.numTestcases).toBe(1);
      // The executor reads a batch's testcases in one call: the large one whole, unknown and foreign ids left out.
      expect(await repos.testcases.getMany(org, [tc.id, newId()])).toEqual([tc]);
      expect(await repos.testcases.getMany(other, [tc.id])).toEqual([]);
      // PrepareRun plans from the ids alone: the large one is listed without reading its body back from S3.
      expect(await repos.testcases.listIds(org, testsetId)).toEqual([tc.id]);
    });

    it('lists every testcase id of a testset in order, past one query page, for its own organization', async () => {
      const testsetId = newId();
      const testcases: Testcase[] = Array.from({ length: 1030 }, (_, i) => ({
        id: newId(),
        testsetId,
        jsonData: { i },
        inputs: { i },
        expected: {},
      }));
      await repos.testcases.createMany(org, testcases);
      expect(await repos.testcases.listIds(org, testsetId)).toEqual(testcases.map((t) => t.id).sort());
      expect(await repos.testcases.listIds(other, testsetId)).toEqual([]);
    });

    it('keeps a batch manifest’s execution plan, and drops it when the batch is re-planned for a rescore', async () => {
      const runId = newId();
      const plan = [
        { recordId: 'r1', testcaseId: 't1', trial: 0 },
        { recordId: 'r2', testcaseId: 't1', trial: 1 },
      ];
      await repos.batches.put(runId, 0, plan);
      expect(await repos.batches.get(runId, 0)).toEqual(plan);
      expect(await repos.batches.claim(runId, 0, 'execution', 0)).toBe(true);

      await repos.batches.put(runId, 0, [{ recordId: 'r1' }, { recordId: 'r2' }]);
      expect(await repos.batches.get(runId, 0)).toEqual([{ recordId: 'r1' }, { recordId: 'r2' }]);
      // Re-planning keeps what was already counted.
      expect(await repos.batches.claim(runId, 0, 'execution', 0)).toBe(false);
      expect(await repos.batches.get(runId, 1)).toBeNull();
    });

    it('writes a first plan in bulk, one manifest per batch in order, each claimable once', async () => {
      const runId = newId();
      const plans = Array.from({ length: 30 }, (_, batch) => [
        { recordId: `r${batch}a`, testcaseId: `t${batch}`, trial: 0 },
        { recordId: `r${batch}b`, testcaseId: `t${batch}`, trial: 1 },
      ]);
      await repos.batches.createAll(runId, plans);
      for (const [batch, plan] of plans.entries()) expect(await repos.batches.get(runId, batch)).toEqual(plan);
      expect(await repos.batches.get(runId, 30)).toBeNull();
      expect(await repos.batches.claim(runId, 29, 'scores', 0)).toBe(true);
      expect(await repos.batches.claim(runId, 29, 'scores', 0)).toBe(false);
    });

    it('keeps run counters exact under concurrent atomic updates', async () => {
      const run = await repos.runs.create(org, makeRun('proj'));
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          repos.runs.addCounters(org, run.id, {
            numRecords: 1,
            numScores: 2,
            metrics: { mv1: { scored: 1, errored: i % 3 === 0 ? 1 : 0 } },
          }),
        ),
      );
      const after = await repos.runs.get(org, run.id);
      expect(after).toMatchObject({ numRecords: 60, numScores: 120 });
      expect(after?.statusExplanation.mv1).toEqual({ scored: 60, errored: 20, total: 60 });
    });

    it('lists active runs until they reach a final status', async () => {
      const run = await repos.runs.create(org, makeRun('proj-active'));
      expect((await repos.runs.listActive()).map((a) => a.run.id)).toContain(run.id);
      await repos.runs.update(org, run.id, { status: 'completed', completedAt: new Date().toISOString() });
      expect((await repos.runs.listActive()).map((a) => a.run.id)).not.toContain(run.id);
    });

    it('converges concurrent system upserts on one system, and identical configs on one version', async () => {
      const projectId = newId();
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () =>
          repos.systems.upsertByName(org, {
            id: newId(),
            projectId,
            name: 'bot',
            description: '',
            productionVersion: null,
            versions: [],
          }),
        ),
      );
      const ids = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.system.id] : [])));
      expect(ids.size).toBe(1);
      const systemId = [...ids][0]!;
      const config = { type: 'external' as const };
      const versions = await Promise.allSettled(
        Array.from({ length: 6 }, () =>
          repos.systems.addVersion(org, { id: newId(), systemId, name: 'v', config }, 'hash-1'),
        ),
      );
      const versionIds = new Set(versions.flatMap((r) => (r.status === 'fulfilled' ? [r.value.version.id] : [])));
      expect(versionIds.size).toBe(1);
      expect((await repos.systems.get(org, systemId))?.versions).toHaveLength(1);
    });

    it('counts trials per testcase across concurrent calls and shards, each arrival numbered once', async () => {
      for (const size of [100, 10_000, null]) {
        const run = await repos.runs.create(org, makeRun('proj-trials', { numExpectedRecords: size }));
        const keys = Array.from({ length: 30 }, (_, i) => `testcase#tc${i}`);
        // Six concurrent calls, each bringing one record of every testcase (and two of the first).
        const totals = await Promise.all(
          Array.from({ length: 6 }, () =>
            repos.runs.countTrials(org, run.id, new Map(keys.map((k, i) => [k, i === 0 ? 2 : 1])), size),
          ),
        );
        // Every call saw a distinct total per testcase: no two arrivals got the same trial number.
        for (const [i, key] of keys.entries()) {
          const seen = totals.map((t) => t.get(key)!).sort((a, b) => a - b);
          expect(seen, `${key} with size ${size}`).toEqual(i === 0 ? [2, 4, 6, 8, 10, 12] : [1, 2, 3, 4, 5, 6]);
        }
      }
    });

    it('keeps a system version’s config exactly as given, and renames it everywhere it is shown', async () => {
      const projectId = newId();
      const { system } = await repos.systems.upsertByName(org, {
        id: newId(),
        projectId,
        name: 'own',
        description: '',
        productionVersion: null,
        versions: [],
      });
      const config = { zeta: 1, alpha: { b: [1.5, null, 'ü'], a: true }, model: 'echo-1' };
      const { version } = await repos.systems.addVersion(
        org,
        { id: newId(), systemId: system.id, name: 'v1', config },
        'h',
      );
      expect(JSON.stringify((await repos.systems.getVersion(org, version.id))?.config)).toBe(JSON.stringify(config));
      expect((await repos.systems.get(org, system.id))?.productionVersion).toEqual(version);
      expect(await repos.systems.renameVersion(org, version.id, 'echo')).toMatchObject({
        id: version.id,
        name: 'echo',
      });
      const renamed = await repos.systems.get(org, system.id);
      expect(renamed?.versions).toEqual([{ id: version.id, name: 'echo' }]);
      expect(renamed?.productionVersion).toEqual({ ...version, name: 'echo' });
      expect(await repos.systems.renameVersion(other, version.id, 'theirs')).toBeNull();
    });

    it('refuses a metric version built on a stale one', async () => {
      const metricId = newId();
      const def = {
        name: 'm',
        description: '',
        evalType: 'human' as const,
        outputType: 'boolean' as const,
        guidelines: '',
      };
      const v1 = { id: newId(), metricId, projectId: 'p', definition: def, createdAt: '' };
      await repos.metrics.create(org, 'p', metricId, v1);
      await repos.metrics.addVersion(org, metricId, v1.id, { ...v1, id: newId(), definition: { ...def, name: 'm2' } });
      await expect(repos.metrics.addVersion(org, metricId, v1.id, { ...v1, id: newId() })).rejects.toMatchObject({
        status: 409,
      });
      expect((await repos.metrics.get(org, metricId))?.name).toBe('m2');
      expect((await repos.metrics.getVersion(org, v1.id))?.definition.name).toBe('m');
    });

    it('returns records with their scores inline, in id order, a page at a time', async () => {
      const run = await repos.runs.create(org, makeRun('proj-rec', { metricVersionIds: ['mv1', 'mv2'] }));
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const id = newId();
        ids.push(id);
        await repos.records.insert(
          org,
          {
            id,
            runId: run.id,
            inputs: { i },
            expected: {},
            outputs: {},
            status: 'completed',
            error: null,
            latencyMs: 1,
            usage: null,
            costUsd: null,
            trial: 0,
            createdAt: '',
          },
          'proj-rec',
        );
        for (const mv of ['mv1', 'mv2']) {
          await repos.scores.insert(org, run.id, {
            recordId: id,
            metricConfigId: mv,
            metricId: 'm',
            score: { binaryScore: true },
            passed: true,
            status: 'completed',
            error: null,
            usage: null,
            latencyMs: null,
            updatedAt: '',
          });
        }
      }
      const first = await repos.records.listByRun(org, run.id, { limit: 3 }, 2);
      expect(first.items.map((r) => r.id)).toEqual(ids.slice(0, 3));
      expect(first.items.every((r) => r.scores.length === 2)).toBe(true);
      const second = await repos.records.listByRun(org, run.id, { limit: 10, after: first.last! }, 2);
      expect(second.items.map((r) => r.id)).toEqual(ids.slice(3));
      expect(second.last).toBeNull();
      // A second insert of the same score is refused, so at-least-once delivery cannot double count.
      expect(
        await repos.scores.insert(org, run.id, {
          recordId: ids[0]!,
          metricConfigId: 'mv1',
          metricId: 'm',
          score: {},
          passed: null,
          status: 'completed',
          error: null,
          usage: null,
          latencyMs: null,
          updatedAt: '',
        }),
      ).toBe(false);
    });

    it('keeps an export item until its file expires (DynamoDB TTL), and hides the TTL attribute', async () => {
      const createdAt = '2026-01-10T12:00:00.000Z';
      const record = {
        id: newId(),
        projectId: 'p',
        runId: null,
        objectKey: 'exports/x.csv',
        fileName: 'x.csv',
        rows: 1,
        bytes: 10,
        createdAt,
      };
      await repos.exports.put(org, record);
      const raw = await repos.table.get(`EXPORT#${record.id}`, '#');
      expect(raw?.expiresAt).toBe(Date.parse(createdAt) / 1000 + DEFAULT_EXPORT_RETENTION_DAYS * 86_400);
      expect(await repos.exports.get(org, record.id)).toEqual(record);
      expect(await repos.exports.get(other, record.id)).toBeNull();
    });

    it('claims an idempotency key once', async () => {
      const key = newId();
      expect(await repos.idempotency.claim('o', key, 'f1')).toBe('claimed');
      expect(await repos.idempotency.claim('o', key, 'f1')).toBe('in_progress');
      expect(await repos.idempotency.claim('o', key, 'f2')).toBe('mismatch');
      await repos.idempotency.complete('o', key, { status: 201, body: { id: 'x' } });
      expect(await repos.idempotency.claim('o', key, 'f1')).toEqual({ status: 201, body: { id: 'x' } });
    });
  });
}

let emulators: Emulators;
const dataDir = tempDataDir();
storageContract('dynalite + s3rver', async () => {
  emulators = await startEmulators(dataDir);
  return {
    repos: createRepositories(emulators.clients, { tableName: LOCAL_TABLE, bucketName: LOCAL_BUCKET }),
    teardown: async () => {
      await emulators.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
