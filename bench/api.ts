process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { keys } from '../lambdas/aws/dynamo/keys.js';
import { newId, positionalId } from '../lambdas/core/ids.js';
import { startLocalStack } from '../local/stack.js';
import { tempDataDir } from '../test/support/stack.js';
import { recordFigure } from './results.js';
import { BENCH_METRICS, benchPoster, closedLoop, fmt, stolenCpuSeconds } from './support.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const WARM_UP_SECONDS = 1;

interface Load {
  p50: number;
  p99: number;
  perSecond: number;
  non2xx: number;
}

const mean = (a: Load, b: Load): Load => ({
  p50: (a.p50 + b.p50) / 2,
  p99: (a.p99 + b.p99) / 2,
  perSecond: (a.perSecond + b.perSecond) / 2,
  non2xx: a.non2xx + b.non2xx,
});

/**
 * The API and its raw baseline measured twice, in A-B-B-A order, each figure the mean of its two passes.
 * dynalite gets faster for a while after the seeding (LevelDB compacts what was just written: a raw Query's
 * p50 fell from 166 to 135 ms across one API pass), so measuring one side first would favour the other. A
 * short untimed pass of each comes first: the first requests a route serves run before V8 has compiled it.
 */
async function abba(api: (seconds?: number) => Promise<Load>, raw: (seconds?: number) => Promise<Load>) {
  await api(WARM_UP_SECONDS);
  await raw(WARM_UP_SECONDS);
  const api1 = await api();
  const raw1 = await raw();
  const raw2 = await raw();
  const api2 = await api();
  // Each pass's p50, so the drift the order guards against stays visible.
  console.log(`  p50 by pass (A-B-B-A): ${[api1, raw1, raw2, api2].map((l) => fmt(l.p50)).join(', ')} ms`);
  return { api: mean(api1, api2), raw: mean(raw1, raw2) };
}

/**
 * API overhead: p50/p99 and req/s for the two hottest reads, against the raw DynamoDB Query that serves the
 * records page, issued with the same client at the same concurrency.
 */
export async function main() {
  const dataDir = tempDataDir('verdict-bench-api-');
  const stack = await startLocalStack({ dataDir, port: 0 });
  const scope = { orgId: 'default' };
  const { repositories } = stack.core;
  try {
    const post = benchPoster(stack.url, stack.apiKey);
    const project = await post('/projects', { name: 'bench' });
    const metrics = [
      await post(`/projects/${project.id}/metrics`, BENCH_METRICS.exact),
      await post(`/projects/${project.id}/metrics`, BENCH_METRICS.quality),
    ];
    const run = await post(`/projects/${project.id}/runs`, { metricIds: metrics.map((m) => m.id) });
    const created = Date.now();
    const seedStart = performance.now();
    for (let start = 0; start < RECORDS; start += 500) {
      const batch = Array.from({ length: Math.min(500, RECORDS - start) }, (_, i) => ({
        id: positionalId(created, start + i),
        runId: run.id,
        testcaseId: newId(),
        inputs: { question: `question ${start + i}` },
        expected: { answer: `answer ${start + i}` },
        outputs: { response: `answer ${start + i}` },
        status: 'completed' as const,
        error: null,
        latencyMs: 120,
        usage: { promptTokens: 50, completionTokens: 20 },
        costUsd: 0.0001,
        trial: 0,
        createdAt: new Date().toISOString(),
      }));
      await repositories.records.insertMany(scope, batch, project.id);
      const scores = batch.flatMap((r) =>
        metrics.map((m) => ({
          pk: `RECORD#${r.id}`,
          sk: `SCORE#${m.versionId}`,
          gsi1pk: keys.recordsOf(run.id),
          gsi1sk: keys.scoreSortKey(r.id, m.versionId),
          type: 'score',
          orgId: scope.orgId,
          recordId: r.id,
          metricConfigId: m.versionId,
          metricId: m.id,
          score: { binaryScore: true, reasoning: 'ok' },
          passed: true,
          status: 'completed',
          error: null,
          usage: null,
          latencyMs: null,
          updatedAt: new Date().toISOString(),
        })),
      );
      await repositories.table.batchPut(scores);
    }
    await repositories.runs.addCounters(scope, run.id, { numRecords: RECORDS, numScores: RECORDS * 2 });
    console.log(`seeded ${RECORDS} records × 2 scores in ${fmt((performance.now() - seedStart) / 1000, 1)} s`);

    const cannon = (path: string, seconds: number) =>
      autocannon({
        url: `${stack.url}/api/v2${path}`,
        connections: CONNECTIONS,
        duration: seconds,
        headers: { authorization: `Bearer ${stack.apiKey}` },
        // The load generator gets its own thread, so it does not share the API's event loop.
        workers: 1,
      });
    const apiLoad = async (path: string, seconds = SECONDS): Promise<Load> => {
      const out = await cannon(path, seconds);
      return { p50: out.latency.p50, p99: out.latency.p99, perSecond: out.requests.average, non2xx: out.non2xx };
    };
    const rawLoad = async (op: () => Promise<unknown>, seconds = SECONDS): Promise<Load> => ({
      ...(await closedLoop(op, CONNECTIONS, seconds * 1000)),
      non2xx: 0,
    });
    const stolenBefore = stolenCpuSeconds();
    const recordsPage = await abba(
      (seconds) => apiLoad(`/runs/${run.id}/records?limit=100`, seconds),
      (seconds) =>
        rawLoad(
          () =>
            repositories.table.client.send(
              new QueryCommand({
                TableName: repositories.table.tableName,
                IndexName: 'gsi1',
                KeyConditionExpression: '#pk = :pk',
                ExpressionAttributeNames: { '#pk': 'gsi1pk' },
                ExpressionAttributeValues: { ':pk': keys.recordsOf(run.id) },
                Limit: 101 * 3,
              }),
            ),
          seconds,
        ),
    );
    const runRead = await abba(
      (seconds) => apiLoad(`/runs/${run.id}`, seconds),
      (seconds) => rawLoad(() => repositories.runs.get(scope, run.id), seconds),
    );

    const rows = [
      ['GET /runs/{id}/records?limit=100', recordsPage.api],
      ['  raw DynamoDB Query (303 items)', recordsPage.raw],
      ['GET /runs/{id}', runRead.api],
      ['  raw DynamoDB GetItem', runRead.raw],
    ] as const;
    const stolen = stolenBefore === null ? null : stolenCpuSeconds()! - stolenBefore;
    console.log(
      `\n${CONNECTIONS} connections, ${SECONDS} s a pass, ${RECORDS} records in the run` +
        (stolen === null ? '' : `; ${fmt(stolen, 1)} s of CPU stolen by the hypervisor while measuring`) +
        '\n(figures are the means of the two passes of each; p99* is the mean of two p99s)',
    );
    console.log(
      'what'.padEnd(36),
      'p50 ms'.padStart(8),
      'p99 ms*'.padStart(8),
      'req/s'.padStart(9),
      'non-2xx'.padStart(8),
    );
    for (const [name, load] of rows) {
      recordFigure('api', `${name.trim()} p50`, load.p50, 'ms');
      recordFigure('api', `${name.trim()} p99`, load.p99, 'ms');
      recordFigure('api', `${name.trim()} req/s`, load.perSecond, '/s');
      console.log(
        name.padEnd(36),
        fmt(load.p50).padStart(8),
        fmt(load.p99).padStart(8),
        fmt(load.perSecond, 0).padStart(9),
        String(load.non2xx).padStart(8),
      );
    }
    console.log(
      `\nAPI / raw ratio (p50): records page ${fmt(recordsPage.api.p50 / recordsPage.raw.p50)}×, ` +
        `run ${fmt(runRead.api.p50 / runRead.raw.p50)}× (target ≤ 1.5×)`,
    );
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
