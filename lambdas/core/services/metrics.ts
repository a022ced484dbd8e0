import { type CoreDeps, nowIso, requireProject } from '../deps.js';
import { notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { MetricVersion, Scope } from '../ports.js';
import { type CreateMetric, defineMetric, type Metric, type UpdateMetric } from '../schemas/metric.js';

export async function createMetric(
  deps: CoreDeps,
  scope: Scope,
  projectId: string,
  input: CreateMetric,
): Promise<Metric> {
  await requireProject(deps, scope, projectId);
  const metricId = newId();
  const version: MetricVersion = {
    id: newId(),
    metricId,
    projectId,
    definition: defineMetric(input),
    createdAt: nowIso(deps),
  };
  return deps.metrics.create(scope, projectId, metricId, version);
}

/**
 * A PATCH is merged over the current definition and stored as a new immutable version; runs keep pointing at
 * the version they were scored with. Switching evalType or outputType drops fields of the old variant.
 */
export async function updateMetric(
  deps: CoreDeps,
  scope: Scope,
  metricId: string,
  patch: UpdateMetric,
): Promise<Metric> {
  const current = await deps.metrics.get(scope, metricId);
  if (!current) throw notFound('metric', metricId);
  const sameVariant = current.evalType === patch.evalType && current.outputType === patch.outputType;
  const merged: CreateMetric = {
    name: patch.name ?? current.name,
    description: patch.description ?? current.description,
    guidelines: patch.guidelines ?? current.guidelines,
    evalType: patch.evalType,
    outputType: patch.outputType,
    promptTemplate: patch.promptTemplate ?? (sameVariant ? current.promptTemplate : undefined),
    evalModelName: patch.evalModelName ?? (sameVariant ? current.evalModelName : undefined),
    temperature: patch.temperature ?? (sameVariant ? current.temperature : undefined),
    passingThreshold: patch.passingThreshold ?? (sameVariant ? current.passingThreshold : undefined),
    heuristic: patch.heuristic ?? (patch.evalType === 'heuristic' ? current.heuristic : undefined),
  };
  const version: MetricVersion = {
    id: newId(),
    metricId,
    projectId: current.projectId,
    definition: defineMetric(merged),
    createdAt: nowIso(deps),
  };
  return deps.metrics.addVersion(scope, metricId, current.versionId, version);
}
