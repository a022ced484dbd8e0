import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { Metric, RecordSearchFilter, Run, RunSource, System } from '../../../sdk/types.js';
import { client } from './client.js';

/** Runs in these states change no more; everything else is polled while a page shows it. */
export const FINAL_STATUSES: ReadonlySet<Run['status']> = new Set(['completed', 'failed', 'cancelled']);
export const isActive = (run: Pick<Run, 'status'> | undefined) => !!run && !FINAL_STATUSES.has(run.status);
export const POLL_MS = 1_000;

export const PAGE_SIZE = 25;

export function useProjects() {
  return useQuery({ queryKey: ['projects'], queryFn: () => client().projects.list().toArray(500) });
}

export function useProject(projectId: string) {
  return useQuery({ queryKey: ['project', projectId], queryFn: () => client().projects.get(projectId) });
}

export function useRuns(projectId: string, source: RunSource | undefined, cursor: string | undefined) {
  return useQuery({
    queryKey: ['runs', projectId, source ?? null, cursor ?? null],
    queryFn: () => client().runs.list(projectId, { source, limit: PAGE_SIZE }).page(cursor),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.data.some(isActive) ? POLL_MS * 2 : false),
  });
}

export function useRun(runId: string) {
  return useQuery({
    queryKey: ['run', runId],
    queryFn: () => client().runs.get(runId),
    enabled: !!runId,
    refetchInterval: (q) => (isActive(q.state.data) ? POLL_MS : false),
  });
}

export function useRunRecords(runId: string, cursor: string | undefined, run: Run | undefined) {
  return useQuery({
    // The run's status and scoring pass are in the key: polling stops when the run settles, and the page read
    // just before it did may predate the last records, so the settled run's records are read once more.
    queryKey: ['run-records', runId, cursor ?? null, run?.status ?? null, run?.generation ?? null],
    queryFn: () => client().records.list(runId, { limit: PAGE_SIZE }).page(cursor),
    placeholderData: keepPreviousData,
    refetchInterval: isActive(run) ? POLL_MS : false,
  });
}

export function useRecord(recordId: string) {
  return useQuery({ queryKey: ['record', recordId], queryFn: () => client().records.get(recordId) });
}

export function useRecordSearch(projectId: string, filter: RecordSearchFilter, cursor: string | undefined) {
  return useQuery({
    queryKey: ['record-search', projectId, filter, cursor ?? null],
    queryFn: () =>
      client()
        .records.search(projectId, { ...filter, limit: PAGE_SIZE })
        .page(cursor),
    placeholderData: keepPreviousData,
  });
}

/** Every metric of the project, with lookups by metric id and by metric version id (Scorecard's metricConfigId). */
export function useMetrics(projectId: string) {
  return useQuery({
    queryKey: ['metrics', projectId],
    queryFn: () => client().metrics.list(projectId).toArray(1_000),
    select: (metrics: Metric[]) => ({
      list: metrics,
      byId: new Map(metrics.map((m) => [m.id, m])),
    }),
  });
}

export function useTestsets(projectId: string) {
  return useQuery({
    queryKey: ['testsets', projectId],
    queryFn: () => client().testsets.list(projectId).toArray(1_000),
  });
}

export function useTestset(testsetId: string | null | undefined) {
  return useQuery({
    queryKey: ['testset', testsetId],
    queryFn: () => client().testsets.get(testsetId!),
    enabled: !!testsetId,
  });
}

export function useTestcases(testsetId: string | undefined, cursor?: string) {
  return useQuery({
    queryKey: ['testcases', testsetId, cursor ?? null],
    queryFn: () => client().testcases.list(testsetId!, { limit: PAGE_SIZE }).page(cursor),
    enabled: !!testsetId,
    placeholderData: keepPreviousData,
  });
}

export function useSystems(projectId: string) {
  return useQuery({
    queryKey: ['systems', projectId],
    queryFn: () => client().systems.list(projectId).toArray(1_000),
    select: (systems: System[]) => ({
      list: systems,
      versionName: new Map(systems.flatMap((s) => s.versions.map((v) => [v.id, `${s.name} · ${v.name}`] as const))),
    }),
  });
}

export function useSystemVersion(versionId: string | null | undefined) {
  return useQuery({
    queryKey: ['system-version', versionId],
    queryFn: () => client().systems.getVersion(versionId!),
    enabled: !!versionId,
    staleTime: Number.POSITIVE_INFINITY, // versions are immutable
  });
}

export function useRunHistory(projectId: string, metricIds: string[], source: RunSource | undefined) {
  return useQuery({
    queryKey: ['run-history', projectId, metricIds, source ?? null],
    queryFn: () => client().runs.history(projectId, { metricIds, source, limit: 100 }),
    enabled: metricIds.length > 0,
    placeholderData: keepPreviousData,
  });
}

/** The project's GitHub connection (null when it has none): the Kickoff modal's GitHub tab starts its workflow. */
export function useGithubConnection(projectId: string) {
  return useQuery({
    queryKey: ['github', projectId],
    queryFn: () => client().github.get(projectId),
  });
}
