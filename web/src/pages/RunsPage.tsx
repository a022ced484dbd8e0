import { createColumnHelper } from '@tanstack/react-table';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Metric, Run, RunSource } from '../../../sdk/types.js';
import { useMetrics, useRuns, useSystems, useTestsets } from '../api/queries.js';
import { DataTable } from '../components/DataTable.js';
import { Empty, ErrorNote, Loading } from '../components/Feedback.js';
import { HistoryCharts } from '../components/HistoryCharts.js';
import type { KickoffPrefill } from '../components/KickoffModal.js';
import { Pager } from '../components/Pager.js';
import { SOURCES, SourceChips, sourceLabel } from '../components/SourceChips.js';
import { reasonBeyondStatus, StatusBadge } from '../components/StatusBadge.js';
import { when } from '../lib/format.js';
import { aggregateHeadline, runMetrics } from '../lib/scores.js';
import { useUrlState } from '../lib/search-params.js';
import { usePageTitle } from '../lib/title.js';

const KickoffModal = lazy(() => import('../components/KickoffModal.js'));

const isSource = (s: string | undefined): s is RunSource => SOURCES.some(([k]) => k === s);

/** The project dashboard: run history charts over the runs list, filtered by source, with Kickoff Run. */
export function RunsPage() {
  usePageTitle('Runs');
  const { projectId = '' } = useParams();
  const url = useUrlState();
  const source = isSource(url.get('source')) ? (url.get('source') as RunSource) : undefined;
  const cursor = url.get('cursor');
  const runs = useRuns(projectId, source, cursor);
  const metrics = useMetrics(projectId);
  const testsets = useTestsets(projectId);
  const systems = useSystems(projectId);
  const [kickoff, setKickoff] = useState<KickoffPrefill | null>(null);

  const chartable = useMemo(() => metrics.data?.list ?? [], [metrics.data]);
  const chosenParam = url.get('metrics');
  const chosen =
    chosenParam !== undefined ? chosenParam.split(',').filter(Boolean) : chartable.slice(0, 2).map((m) => m.id);

  const testsetName = new Map((testsets.data ?? []).map((t) => [t.id, t.name]));
  const columns = useRunColumns(projectId, metrics.data?.byId, testsetName, systems.data?.versionName, (run) =>
    setKickoff({ testsetId: run.testsetId, metricIds: run.metricIds, systemVersionId: run.systemVersionId }),
  );

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Runs</h1>
          <p className="muted">Every evaluation of this project, newest first.</p>
        </div>
        <button type="button" className="primary" onClick={() => setKickoff({})}>
          Kickoff run
        </button>
      </header>
      <HistoryCharts
        projectId={projectId}
        metrics={chartable}
        chosen={chosen}
        onChoose={(ids) => url.set({ metrics: ids.join(',') || ',' }, { keepCursor: true })}
        source={source}
      />
      <section className="card" aria-labelledby="runs-title">
        <header className="section-head">
          <h2 id="runs-title">All runs</h2>
          <SourceChips value={source} onChange={(s) => url.set({ source: s })} />
        </header>
        {runs.isPending && <Loading what="runs" />}
        {runs.error && <ErrorNote error={runs.error} what="runs" />}
        {runs.data && runs.data.data.length === 0 && !cursor ? (
          <Empty>
            {source ? (
              <p>No {sourceLabel(source)} runs yet.</p>
            ) : (
              <>
                <p>
                  <strong>No runs yet.</strong> A run evaluates a system on a testset with your metrics.
                </p>
                <p className="muted">
                  Add a <Link to={`/projects/${projectId}/testsets`}>testset</Link> and a{' '}
                  <Link to={`/projects/${projectId}/metrics`}>metric</Link>, then kick off a run, try a prompt in the{' '}
                  <Link to={`/projects/${projectId}/playground`}>Playground</Link>, or post records from the SDK.
                </p>
              </>
            )}
          </Empty>
        ) : (
          runs.data && (
            <>
              <DataTable label="Runs" data={runs.data.data} columns={columns} rowId={(r) => r.id} />
              <Pager
                label="Runs"
                cursor={cursor}
                nextCursor={runs.data.nextCursor}
                hasMore={runs.data.hasMore}
                onChange={(c) => url.set({ cursor: c }, { keepCursor: true })}
              />
            </>
          )
        )}
      </section>
      {kickoff && (
        <Suspense fallback={null}>
          <KickoffModal projectId={projectId} prefill={kickoff} onClose={() => setKickoff(null)} />
        </Suspense>
      )}
    </>
  );
}

const column = createColumnHelper<Run>();

function useRunColumns(
  projectId: string,
  metrics: Map<string, Metric> | undefined,
  testsetName: Map<string, string>,
  versionName: Map<string, string> | undefined,
  runAgain: (run: Run) => void,
) {
  return [
    column.display({
      id: 'run',
      header: 'Run',
      cell: ({ row: { original: run } }) => (
        <div className="run-cell">
          <Link to={`/projects/${projectId}/runs/${run.id}`} className="strong-link">
            {run.name || `Run …${run.id.slice(-6)}`}
          </Link>
          <StatusBadge status={run.status} reason={reasonBeyondStatus(run)} />
        </div>
      ),
    }),
    column.accessor('source', {
      header: 'Source',
      cell: (c) => <span className="tag">{sourceLabel(c.getValue())}</span>,
    }),
    column.accessor('testsetId', {
      header: 'Testset',
      cell: (c) => (c.getValue() ? (testsetName.get(c.getValue()!) ?? '…') : <span className="muted">none</span>),
    }),
    column.accessor('systemVersionId', {
      header: 'System version',
      cell: ({ row: { original: run } }) =>
        run.systemVersionId ? (
          (versionName?.get(run.systemVersionId) ?? run.systemVersion?.name ?? '…')
        ) : (
          <span className="muted">none</span>
        ),
    }),
    column.display({
      id: 'metrics',
      header: 'Metrics',
      cell: ({ row: { original: run } }) => (
        <ul className="metric-chips">
          {runMetrics(run, metrics).map((m) => {
            const agg = run.aggregates?.[m.versionId];
            return (
              <li key={m.versionId} title={m.name}>
                <span className="muted">{m.name}</span> <strong>{aggregateHeadline(agg)}</strong>
              </li>
            );
          })}
        </ul>
      ),
    }),
    column.display({
      id: 'records',
      header: 'Records',
      cell: ({ row: { original: run } }) => (
        <span className="nowrap">
          {run.numExecuted} / {run.numExpectedRecords ?? run.numRecords}
        </span>
      ),
    }),
    column.accessor('createdAt', {
      header: 'Created',
      cell: (c) => <span className="nowrap">{when(c.getValue())}</span>,
    }),
    column.display({
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row: { original: run } }) => (
        <button
          type="button"
          className="small-button"
          onClick={() => runAgain(run)}
          aria-label={`Run again: ${run.name || run.id}`}
        >
          Run again
        </button>
      ),
    }),
  ];
}
