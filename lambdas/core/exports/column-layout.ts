import type { CoreDeps } from '../deps.js';
import type { Scope } from '../ports.js';
import type { Run } from '../schemas/run.js';
import { hostedConfig } from '../schemas/system.js';
import type { MetricColumn } from './csv.js';

type ColumnDeps = Pick<CoreDeps, 'metrics' | 'testsets' | 'systems'>;

/**
 * Schema order for field columns: the testsets' field mappings for inputs and expected, and the field a system
 * writes its reply to for outputs (`response` unless its config says otherwise), run by run.
 */
export async function preferredFields(deps: ColumnDeps, scope: Scope, runs: Run[]) {
  const inputs: string[] = [];
  const expected: string[] = [];
  const outputs: string[] = [];
  const testsetIds = [...new Set(runs.flatMap((r) => (r.testsetId ? [r.testsetId] : [])))];
  for (const testset of await Promise.all(testsetIds.map((id) => deps.testsets.get(scope, id)))) {
    inputs.push(...(testset?.fieldMapping.inputs ?? []));
    expected.push(...(testset?.fieldMapping.expected ?? []));
  }
  const versionIds = [...new Set(runs.flatMap((r) => (r.systemVersionId ? [r.systemVersionId] : [])))];
  for (const version of await Promise.all(versionIds.map((id) => deps.systems.getVersion(scope, id)))) {
    // Only the systems Verdict runs map their reply to a field; the others post whatever outputs they have.
    const config = version ? hostedConfig(version.config) : null;
    outputs.push(config?.outputField ?? 'response');
  }
  return { inputs, expected, outputs: outputs.length ? outputs : ['response'] };
}

/** One column group per metric the runs used, in the order they name them; named as the run's version was. */
export async function metricColumns(deps: ColumnDeps, scope: Scope, runs: Run[]): Promise<MetricColumn[]> {
  const firstVersion = new Map<string, string>();
  for (const run of runs) {
    run.metricIds.forEach((metricId, i) => {
      const version = run.metricVersionIds[i];
      if (version && !firstVersion.has(metricId)) firstVersion.set(metricId, version);
    });
  }
  return Promise.all(
    [...firstVersion].map(async ([metricId, versionId]) => {
      const version = await deps.metrics.getVersion(scope, versionId);
      return { metricId, name: version?.definition.name ?? metricId };
    }),
  );
}
