import type { CoreDeps } from '../deps.js';
import type { MetricVersion, Scope } from '../ports.js';
import type { Run } from '../schemas/run.js';
import type { SystemConfig } from '../schemas/system.js';

const MAX_ENTRIES = 2000;

/** A bounded map: the oldest entry goes when it is full. */
class Bounded<V> extends Map<string, V> {
  override set(key: string, value: V) {
    if (this.size >= MAX_ENTRIES && !this.has(key)) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}

/**
 * Per-process caches for the worker hot path. Metric and system versions are immutable, so they are cached
 * for good; a run's cancelled flag is re-read at most once a second per run, shared by all its batches.
 */
export class PipelineCaches {
  private readonly metricVersions = new Bounded<Promise<MetricVersion | null>>();
  private readonly systemConfigs = new Bounded<Promise<SystemConfig | null>>();
  private readonly cancelled = new Bounded<{ at: number; value: Promise<boolean> }>();

  constructor(private readonly deps: Pick<CoreDeps, 'metrics' | 'systems' | 'runs'>) {}

  metricVersion(scope: Scope, id: string) {
    return this.cached(this.metricVersions, `${scope.orgId}/${id}`, () => this.deps.metrics.getVersion(scope, id));
  }

  systemConfig(scope: Scope, versionId: string) {
    return this.cached(
      this.systemConfigs,
      `${scope.orgId}/${versionId}`,
      async () => (await this.deps.systems.getVersion(scope, versionId))?.config ?? null,
    );
  }

  /**
   * A run just read elsewhere answers `isCancelled` for the next second, as a read of our own would. It only
   * fills an expired entry (or reports a cancel): a read that began earlier must not hide a cancel seen since.
   */
  sawRun(scope: Scope, run: Pick<Run, 'id' | 'status'>, maxAgeMs = 1000) {
    const key = `${scope.orgId}/${run.id}`;
    const hit = this.cancelled.get(key);
    if (run.status !== 'cancelled' && hit && Date.now() - hit.at < maxAgeMs) return;
    this.cancelled.set(key, { at: Date.now(), value: Promise.resolve(run.status === 'cancelled') });
  }

  /** Whether the run was cancelled, as of at most `maxAgeMs` ago. */
  async isCancelled(scope: Scope, runId: string, maxAgeMs = 1000): Promise<boolean> {
    const key = `${scope.orgId}/${runId}`;
    const hit = this.cancelled.get(key);
    if (hit && Date.now() - hit.at < maxAgeMs) return hit.value;
    const value = this.deps.runs.get(scope, runId).then((run) => run?.status === 'cancelled');
    this.cancelled.set(key, { at: Date.now(), value });
    return value;
  }

  private cached<V>(map: Bounded<Promise<V | null>>, key: string, load: () => Promise<V | null>) {
    let value = map.get(key);
    if (!value) {
      value = load();
      map.set(key, value);
      // Misses and failures are not remembered: the item may appear later.
      value.then(
        (v) => v === null && map.delete(key),
        () => map.delete(key),
      );
    }
    return value;
  }
}
