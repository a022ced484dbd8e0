import { conflict } from '../../core/errors.js';
import type { PageRequest } from '../../core/pagination.js';
import type { MetricRepository, MetricVersion, Paged, Scope } from '../../core/ports.js';
import type { Metric } from '../../core/schemas/metric.js';
import { keys } from './keys.js';
import { getOwned, listChildren } from './projects.js';
import { entityOf, isConditionFailure, type Table } from './table.js';

const toMetric = (metricId: string, version: MetricVersion): Metric => ({
  id: metricId,
  projectId: version.projectId,
  versionId: version.id,
  ...version.definition,
});

/** A metric item holds its current definition; every definition also lives on as an immutable version item. */
export class DynamoMetricRepository implements MetricRepository {
  constructor(private readonly table: Table) {
    // A heuristic carries free-form JSON (a JSON Schema, a literal `value`).
    table.storeAsJson('metric', ['heuristic']);
    table.storeAsJson('metricVersion', ['definition']);
  }

  private async putVersion(scope: Scope, version: MetricVersion) {
    await this.table.put({
      ...keys.metricVersion(version.id),
      gsi1pk: `METRIC#${version.metricId}#VERSIONS`,
      gsi1sk: version.id,
      type: 'metricVersion',
      orgId: scope.orgId,
      ...version,
    });
  }

  async create(scope: Scope, projectId: string, metricId: string, version: MetricVersion) {
    await this.putVersion(scope, version);
    const metric = toMetric(metricId, version);
    await this.table.put({
      ...keys.metric(metricId),
      gsi1pk: keys.metricsOf(projectId),
      gsi1sk: metricId,
      type: 'metric',
      orgId: scope.orgId,
      ...metric,
    });
    return metric;
  }

  async get(scope: Scope, id: string) {
    const item = await getOwned(this.table, scope, keys.metric(id));
    return item ? entityOf<Metric>(item) : null;
  }

  list(scope: Scope, projectId: string, page: PageRequest): Promise<Paged<Metric>> {
    return listChildren<Metric>(this.table, scope, keys.metricsOf(projectId), page);
  }

  async addVersion(scope: Scope, metricId: string, expectedVersionId: string, version: MetricVersion) {
    await this.putVersion(scope, version);
    const metric = toMetric(metricId, version);
    try {
      // Optimistic lock: two concurrent PATCHes cannot both claim to follow the same version.
      await this.table.put(
        {
          ...keys.metric(metricId),
          gsi1pk: keys.metricsOf(metric.projectId),
          gsi1sk: metricId,
          type: 'metric',
          orgId: scope.orgId,
          ...metric,
        },
        {
          condition: 'versionId = :expected AND orgId = :org',
          values: { ':expected': expectedVersionId, ':org': scope.orgId },
        },
      );
    } catch (error) {
      if (isConditionFailure(error)) throw conflict('the metric changed while it was being updated; retry', true);
      throw error;
    }
    return metric;
  }

  async getVersion(scope: Scope, versionId: string) {
    const item = await getOwned(this.table, scope, keys.metricVersion(versionId));
    return item ? entityOf<MetricVersion>(item) : null;
  }

  async delete(scope: Scope, id: string) {
    try {
      await this.table.delete(keys.metric(id).pk, '#', { expression: 'orgId = :org', values: { ':org': scope.orgId } });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
