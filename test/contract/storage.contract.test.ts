import { rmSync } from 'node:fs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT_RETENTION_DAYS } from '../../lambdas/aws/dynamo/exports.js';
import { TRACE_SHARDS, traceKeys } from '../../lambdas/aws/dynamo/traces.js';
import { createRepositories, type Repositories } from '../../lambdas/aws/repositories.js';
import { newId } from '../../lambdas/core/ids.js';
import { sampleHash } from '../../lambdas/core/monitors/sampling.js';
import type { RunRecord } from '../../lambdas/core/schemas/record.js';
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

    it('starts a rescored metric’s counters over and counts the rescore as progress, the other metrics kept', async () => {
      const run = await repos.runs.create(org, makeRun('proj-rescore', { metricVersionIds: ['mv1', 'mv2'] }));
      await repos.runs.addCounters(org, run.id, { metrics: { mv1: { scored: 2 }, mv2: { scored: 3 } } });
      const before = new Date().toISOString();

      await repos.runs.resetProgress(org, run.id, ['mv1']);

      const after = (await repos.runs.get(org, run.id))!;
      expect(after.statusExplanation.mv1).toMatchObject({ scored: 0, errored: 0 });
      expect(after.statusExplanation.mv2).toMatchObject({ scored: 3 });
      expect(after.lastProgressAt! >= before).toBe(true);
      // A rescore of human metrics only resets no counter, and is progress all the same.
      const quiet = await repos.runs.create(org, makeRun('proj-rescore'));
      expect(quiet.lastProgressAt).toBeUndefined();
      await repos.runs.resetProgress(org, quiet.id, []);
      expect((await repos.runs.get(org, quiet.id))!.lastProgressAt).toEqual(expect.any(String));
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
      // From the list's end: the records before `after`, each page in ascending order, every record whole.
      const last = await repos.records.listByRunFromEnd(org, run.id, { limit: 2 }, 2);
      expect(last.items.map((r) => r.id)).toEqual(ids.slice(-2));
      expect(last.items.every((r) => r.scores.length === 2)).toBe(true);
      const before = await repos.records.listByRunFromEnd(org, run.id, { limit: 10, after: last.last! }, 2);
      expect(before.items.map((r) => r.id)).toEqual(ids.slice(0, -2));
      expect(before.items.every((r) => r.scores.length === 2)).toBe(true);
      expect(before.last).toBeNull();
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

    const record = (runId: string, fields: Partial<RunRecord> = {}): RunRecord => ({
      id: newId(),
      runId,
      inputs: {},
      expected: {},
      outputs: {},
      status: 'completed',
      error: null,
      latencyMs: null,
      usage: null,
      costUsd: null,
      trial: 0,
      createdAt: '',
      ...fields,
    });
    /** The attribute as DynamoDB holds it, bypassing the repositories' decoding. */
    const rawAttribute = async (pk: string, sk: string, name: string) =>
      (await repos.table.client.send(new GetCommand({ TableName: LOCAL_TABLE, Key: { pk, sk } }))).Item?.[name];

    it('keeps every number JSON.parse gives in JSON documents, which it stores as text', async () => {
      // 2^53 + 1 arrives as 2^53; none of these fits a DynamoDB number, each must come back as this very value.
      const numbers = JSON.parse('[9007199254740993, 1e300, 1e-300, -1e300, 5e-324, 0.1]') as number[];
      const doc = { numbers, nested: { n: 1e300, list: [{ m: -1e-300 }] } };
      const testsetId = newId();
      const testset = {
        id: testsetId,
        name: 'n',
        description: '',
        jsonSchema: { maximum: 1e300 },
        fieldMapping: { inputs: [], expected: [], metadata: [] },
        numTestcases: 0,
      };
      await repos.testsets.create(org, 'proj-num', testset);
      expect((await repos.testsets.update(org, testsetId, { jsonSchema: { minimum: -1e300 } }))?.jsonSchema).toEqual({
        minimum: -1e300,
      });
      const big = 'x'.repeat(400_000);
      const small: Testcase = { id: newId(), testsetId, jsonData: doc, inputs: doc, expected: doc };
      const large: Testcase = { id: newId(), testsetId, jsonData: { big, ...doc }, inputs: doc, expected: {} };
      await repos.testcases.createMany(org, [small, large]);
      expect(await repos.testcases.get(org, small.id)).toEqual(small);
      expect(await repos.testcases.get(org, large.id)).toEqual(large); // moved to S3 and back
      expect(typeof (await rawAttribute(`TESTCASE#${small.id}`, '#', 'jsonData'))).toBe('string');

      const run = await repos.runs.create(org, makeRun('proj-num'));
      const rec = record(run.id, { inputs: doc, expected: doc, outputs: doc });
      await repos.records.insert(org, rec, 'proj-num');
      const score = {
        recordId: rec.id,
        metricConfigId: 'mv1',
        metricId: 'm1',
        score: { floatScore: 0.5, extra: doc },
        passed: true,
        status: 'completed' as const,
        error: null,
        usage: null,
        latencyMs: null,
        updatedAt: '',
      };
      await repos.scores.upsert(org, run.id, score);
      expect(await repos.records.get(org, rec.id)).toEqual({ ...rec, scores: [score] });
      const scan = await repos.recordSearch.scan(org, { projectId: 'proj-num', maxItems: 100 });
      expect(scan.records).toEqual([rec]);

      await repos.idempotency.claim('o-num', 'k', 'f');
      await repos.idempotency.complete('o-num', 'k', { status: 201, body: doc });
      expect(await repos.idempotency.claim('o-num', 'k', 'f')).toEqual({ status: 201, body: doc });
    });

    it('reads items written before documents were stored as text, when they were maps', async () => {
      const put = (Item: Record<string, unknown>) =>
        repos.table.client.send(new PutCommand({ TableName: LOCAL_TABLE, Item }));
      const doc = { a: 1, nested: { list: [1, 'two', { three: 3 }] } };
      const testsetId = newId();
      const testset = {
        id: testsetId,
        name: 'old',
        description: '',
        jsonSchema: { type: 'object' },
        fieldMapping: { inputs: ['a'], expected: [], metadata: [] },
        numTestcases: 1,
      };
      await put({
        pk: `TESTSET#${testsetId}`,
        sk: '#',
        type: 'testset',
        orgId: org.orgId,
        ...testset,
        projectId: 'p-old',
      });
      expect(await repos.testsets.get(org, testsetId)).toEqual({ ...testset, projectId: 'p-old' });

      const tc: Testcase = { id: newId(), testsetId, jsonData: doc, inputs: { a: 1 }, expected: {} };
      await put({
        pk: `TESTCASE#${tc.id}`,
        sk: '#',
        gsi1pk: `TESTSET#${testsetId}#TESTCASES`,
        gsi1sk: tc.id,
        type: 'testcase',
        orgId: org.orgId,
        ...tc,
      });
      expect(await repos.testcases.get(org, tc.id)).toEqual(tc);
      expect((await repos.testcases.list(org, testsetId, { limit: 10 })).items).toEqual([tc]);
      expect(await repos.testcases.getMany(org, [tc.id])).toEqual([tc]);

      const run = await repos.runs.create(org, makeRun('p-old'));
      const rec = record(run.id, { inputs: doc, outputs: { response: doc } });
      await put(repos.records.toItem(org, rec, 'p-old'));
      const score = {
        recordId: rec.id,
        metricConfigId: 'mv1',
        metricId: 'm1',
        score: { binaryScore: true, reasoning: 'old' },
        passed: true,
        status: 'completed' as const,
        error: null,
        usage: null,
        latencyMs: null,
        updatedAt: '',
      };
      await put({
        pk: `RECORD#${rec.id}`,
        sk: 'SCORE#mv1',
        gsi1pk: `RUN#${run.id}#RECORDS`,
        gsi1sk: `${rec.id}#SCORE#mv1`,
        type: 'score',
        orgId: org.orgId,
        ...score,
      });
      expect(await repos.records.get(org, rec.id)).toEqual({ ...rec, scores: [score] });
      expect((await repos.records.listByRun(org, run.id, { limit: 10 }, 1)).items).toEqual([
        { ...rec, scores: [score] },
      ]);
      expect((await repos.recordSearch.scan(org, { projectId: 'p-old', maxItems: 100 })).records).toEqual([rec]);
      expect(await repos.recordSearch.scores(org, [{ recordId: rec.id, metricVersionId: 'mv1' }])).toEqual([score]);
      // Replacing the score reports the old one as it was.
      expect((await repos.scores.upsert(org, run.id, { ...score, passed: false })).previous).toEqual(score);

      const heuristic = { kind: 'contains', field: 'response', mode: 'any', values: ['x'] };
      const definition = {
        name: 'h',
        description: '',
        evalType: 'heuristic',
        outputType: 'boolean',
        guidelines: '',
        heuristic,
      };
      const metricId = newId();
      const version = { id: newId(), metricId, projectId: 'p-old', definition, createdAt: '' };
      await put({ pk: `METRICVERSION#${version.id}`, sk: '#', type: 'metricVersion', orgId: org.orgId, ...version });
      const metric = { id: metricId, projectId: 'p-old', versionId: version.id, ...definition };
      await put({ pk: `METRIC#${metricId}`, sk: '#', type: 'metric', orgId: org.orgId, ...metric });
      expect(await repos.metrics.getVersion(org, version.id)).toEqual(version);
      expect(await repos.metrics.get(org, metricId)).toEqual(metric);

      const systemVersion = {
        id: newId(),
        systemId: 's-old',
        name: 'v1',
        config: { type: 'http', url: 'https://agent.example/chat', method: 'POST', headers: { a: 'b' } },
        projectId: 'p-old',
      };
      await put({
        pk: `SYSTEMVERSION#${systemVersion.id}`,
        sk: '#',
        type: 'systemVersion',
        orgId: org.orgId,
        ...systemVersion,
      });
      expect(await repos.systems.getVersion(org, systemVersion.id)).toEqual(systemVersion);

      const trace = {
        projectId: 'p-old',
        traceId: 'old-trace',
        spanId: '-',
        spanName: 'chat',
        serviceName: 'svc',
        inputs: doc,
        outputs: { response: 'ok' },
        metadata: doc,
        timestamp: '2026-01-10T12:00:00.000Z',
        latencyMs: 5,
        usage: null,
        costUsd: null,
        expiresAt: 2_000_000_000,
      };
      const shard = Math.min(TRACE_SHARDS - 1, Math.floor(sampleHash(trace.traceId) * TRACE_SHARDS));
      await put({
        ...traceKeys.trace(trace.projectId, trace.traceId, trace.spanId),
        gsi1pk: traceKeys.shard(trace.projectId, shard),
        gsi1sk: traceKeys.sortKey(trace),
        type: 'trace',
        orgId: org.orgId,
        ...trace,
      });
      const window = await repos.traces.listWindow(org, 'p-old', {
        start: '2026-01-10T11:00:00.000Z',
        end: '2026-01-10T13:00:00.000Z',
        sampleRate: 1,
        limit: 10,
        accept: () => true,
      });
      expect(window.traces).toEqual([trace]);

      const response = { status: 201, body: doc };
      await put({ pk: 'IDEMPOTENCY#o-old#k', sk: '#', type: 'idempotency', state: 'done', fingerprint: 'f', response });
      expect(await repos.idempotency.claim('o-old', 'k', 'f')).toEqual(response);
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
