process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { keys } from '../lambdas/aws/dynamo/keys.js';
import { newId, positionalId } from '../lambdas/core/ids.js';
import { startLocalStack } from '../local/stack.js';
import { tempDataDir } from '../test/support/stack.js';
import { BENCH_METRICS, benchPoster, closedLoop, fmt } from './support.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 10;

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

    const cannon = (path: string) =>
      autocannon({
        url: `${stack.url}/api/v2${path}`,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: { authorization: `Bearer ${stack.apiKey}` },
        // The load generator gets its own thread, so it does not share the API's event loop.
        workers: 1,
      });
    const recordsPage = await cannon(`/runs/${run.id}/records?limit=100`);
    const runRead = await cannon(`/runs/${run.id}`);
    const rawQuery = await closedLoop(
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
      CONNECTIONS,
      SECONDS * 1000,
    );
    const rawGet = await closedLoop(() => repositories.runs.get(scope, run.id), CONNECTIONS, SECONDS * 1000);

    const rows = [
      [
        'GET /runs/{id}/records?limit=100',
        recordsPage.latency.p50,
        recordsPage.latency.p99,
        recordsPage.requests.average,
        recordsPage.non2xx,
      ],
      ['  raw DynamoDB Query (303 items)', rawQuery.p50, rawQuery.p99, rawQuery.perSecond, 0],
      ['GET /runs/{id}', runRead.latency.p50, runRead.latency.p99, runRead.requests.average, runRead.non2xx],
      ['  raw DynamoDB GetItem', rawGet.p50, rawGet.p99, rawGet.perSecond, 0],
    ] as const;
    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s each, ${RECORDS} records in the run`);
    console.log(
      'what'.padEnd(36),
      'p50 ms'.padStart(8),
      'p99 ms'.padStart(8),
      'req/s'.padStart(9),
      'non-2xx'.padStart(8),
    );
    for (const [name, p50, p99, rps, bad] of rows) {
      console.log(
        name.padEnd(36),
        fmt(p50).padStart(8),
        fmt(p99).padStart(8),
        fmt(rps, 0).padStart(9),
        String(bad).padStart(8),
      );
    }
    console.log(
      `\nAPI / raw ratio (p50): records page ${fmt(recordsPage.latency.p50 / rawQuery.p50)}×, run ${fmt(runRead.latency.p50 / rawGet.p50)}× (target ≤ 1.5×)`,
    );
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
