import type { RunRepository, Scope } from '../ports.js';
import type { Run } from '../schemas/run.js';

/** Runs looked up once per request: records name their run, and a page usually spans a handful of them. */
export class RunCache {
  private readonly runs = new Map<string, Promise<Run | null>>();
  private readonly loaded = new Map<string, Run | null>();

  constructor(
    private readonly repository: Pick<RunRepository, 'get'>,
    private readonly scope: Scope,
  ) {}

  get(runId: string): Promise<Run | null> {
    let run = this.runs.get(runId);
    if (!run) {
      run = this.repository.get(this.scope, runId).then((found) => {
        this.loaded.set(runId, found);
        return found;
      });
      this.runs.set(runId, run);
    }
    return run;
  }

  /** Loads the runs of these ids in parallel. */
  async load(runIds: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(runIds)].map((id) => this.get(id)));
  }

  /** A run already loaded (undefined when it has not been asked for yet). */
  peek(runId: string): Run | null | undefined {
    return this.loaded.get(runId);
  }

  async all(): Promise<Run[]> {
    return (await Promise.all(this.runs.values())).filter((r): r is Run => r !== null);
  }

  /** The metric version a run scored `metricId` with, if it used that metric. */
  static versionOf(run: Run | null, metricId: string): string | undefined {
    if (!run) return undefined;
    const i = run.metricIds.indexOf(metricId);
    return i < 0 ? undefined : run.metricVersionIds[i];
  }
}
