import { positionalId } from '../../lambdas/core/ids.js';
import type { RunRecord, Score } from '../../lambdas/core/schemas/record.js';
import type { LocalStack } from '../../local/stack.js';

export const SCOPE = { orgId: 'default' };

/** Writes records (and their scores) straight through the repositories, as PrepareRun and the scorer do in bulk. */
export async function seedRecords(
  stack: LocalStack,
  projectId: string,
  records: RunRecord[],
  scores: Array<Score & { runId: string }> = [],
) {
  const { repositories } = stack.core;
  for (let i = 0; i < records.length; i += 500) {
    await repositories.records.insertMany(SCOPE, records.slice(i, i + 500), projectId);
  }
  const byRun = new Map<string, Score[]>();
  for (const { runId, ...score } of scores) byRun.set(runId, [...(byRun.get(runId) ?? []), score]);
  for (const [runId, list] of byRun) {
    for (let i = 0; i < list.length; i += 500)
      await repositories.scores.putMany(SCOPE, runId, list.slice(i, i + 500), 0);
  }
}

/** A completed record with the given fields; its id is minted at `createdAtMs` (position 0 unless given). */
export function makeRecord(
  fields: Partial<RunRecord> & { runId: string; createdAtMs: number; position?: number },
): RunRecord {
  const { createdAtMs, position, ...rest } = fields;
  return {
    id: positionalId(createdAtMs, position ?? 0),
    inputs: {},
    expected: {},
    outputs: {},
    status: 'completed',
    error: null,
    latencyMs: null,
    usage: null,
    costUsd: null,
    trial: 0,
    createdAt: new Date(createdAtMs).toISOString(),
    ...rest,
  };
}

export function makeScore(
  runId: string,
  recordId: string,
  metric: { id: string; versionId: string },
  value: { binaryScore?: boolean; intScore?: number; floatScore?: number; reasoning?: string },
  passed: boolean | null,
): Score & { runId: string } {
  return {
    runId,
    recordId,
    metricConfigId: metric.versionId,
    metricId: metric.id,
    score: value,
    passed,
    status: 'completed',
    error: null,
    usage: null,
    latencyMs: null,
    updatedAt: new Date().toISOString(),
  };
}
