import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Run } from '../../../sdk/types.js';
import { client, errorText } from '../api/client.js';
import { isActive, useMetrics, useRun, useRunRecords, useRuns, useTestset } from '../api/queries.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import type { KickoffPrefill } from '../components/KickoffModal.js';
import { Pager } from '../components/Pager.js';
import { AggregateCards } from '../components/run/AggregateCards.js';
import { ComparePanel } from '../components/run/ComparePanel.js';
import { RecordsTable } from '../components/run/RecordsTable.js';
import { RescoreModal } from '../components/run/RescoreModal.js';
import { RunDetailsPanel } from '../components/run/RunDetailsPanel.js';
import { StatusExplanation } from '../components/run/StatusExplanation.js';
import { sourceLabel } from '../components/SourceChips.js';
import { reasonBeyondStatus, StatusBadge } from '../components/StatusBadge.js';
import { when } from '../lib/format.js';
import { runMetrics } from '../lib/scores.js';
import { useUrlState } from '../lib/search-params.js';
import { usePageTitle } from '../lib/title.js';

const KickoffModal = lazy(() => import('../components/KickoffModal.js'));

/** One run: live progress, status explanation, aggregates, records, and what can be done with it. */
export default function RunDetailsPage() {
  const { projectId = '', runId = '' } = useParams();
  const run = useRun(runId);
  const metrics = useMetrics(projectId);
  const url = useUrlState();
  const cursor = url.get('cursor');
  const live = isActive(run.data);
  const records = useRunRecords(runId, cursor, run.data);
  const testset = useTestset(run.data?.testsetId);
  const recentRuns = useRuns(projectId, undefined, undefined);
  const [explained, setExplained] = useState(false);
  const [modal, setModal] = useState<'rescore' | 'kickoff' | null>(null);
  const queries = useQueryClient();
  usePageTitle(run.data ? `Run ${run.data.name || `…${run.data.id.slice(-6)}`}` : 'Run');

  const exportCsv = useMutation({
    mutationFn: () => client().runs.export(runId),
    // The presigned link answers with Content-Disposition: attachment, so the browser downloads the file.
    onSuccess: (link) => window.location.assign(link.url),
  });
  const cancel = useMutation({
    mutationFn: () => client().runs.cancel(runId),
    onSuccess: (updated) => queries.setQueryData(['run', runId], updated),
  });

  if (run.isPending) return <Loading what="the run" />;
  if (run.error) return <ErrorNote error={run.error} what="the run" />;
  const r = run.data;
  const ms = runMetrics(r, metrics.data?.byId);
  const expected = r.numExpectedRecords ?? r.numRecords;
  const showDetails = url.get('details') === '1';
  const kickoffPrefill: KickoffPrefill = {
    testsetId: r.testsetId,
    metricIds: r.metricIds,
    systemVersionId: r.systemVersionId,
  };

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={`/projects/${projectId}/runs`}>Runs</Link> <span aria-hidden="true">/</span>{' '}
        <span>{r.name || `Run …${r.id.slice(-6)}`}</span>
      </nav>
      <header className="page-head">
        <div>
          <h1>{r.name || `Run …${r.id.slice(-6)}`}</h1>
          <p className="muted small">
            <span className="tag">{sourceLabel(r.source)}</span> · created {when(r.createdAt)}
            {testset.data && (
              <>
                {' '}
                · testset <Link to={`/projects/${projectId}/testsets/${testset.data.id}`}>{testset.data.name}</Link>
              </>
            )}
            {r.systemVersion && <> · system version {r.systemVersion.name}</>}
          </p>
        </div>
        <div className="actions">
          <button
            type="button"
            aria-expanded={showDetails}
            aria-controls="run-details"
            onClick={() => url.set({ details: showDetails ? undefined : '1' }, { keepCursor: true })}
          >
            {showDetails ? 'Hide details' : 'Show details'}
          </button>
          <button
            type="button"
            onClick={() => setModal('rescore')}
            disabled={live && r.status !== 'awaiting_human_scoring'}
          >
            Re-run scoring
          </button>
          <button type="button" onClick={() => exportCsv.mutate()} disabled={exportCsv.isPending}>
            {exportCsv.isPending ? 'Exporting…' : 'Export as CSV'}
          </button>
          <button type="button" onClick={() => setModal('kickoff')}>
            Run again
          </button>
          {live && (
            <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              Cancel run
            </button>
          )}
        </div>
      </header>
      {(exportCsv.error || cancel.error) && (
        <p className="error-note" role="alert">
          {errorText(exportCsv.error ?? cancel.error)}
        </p>
      )}

      <section className="card run-status" aria-label="Progress">
        <div className="status-line">
          <button
            type="button"
            className="badge-button"
            aria-expanded={explained}
            aria-controls="status-explanation"
            onClick={() => setExplained(!explained)}
            title="Show the scoring status of each metric"
          >
            <StatusBadge status={r.status} />
            <span aria-hidden="true">{explained ? '▾' : '▸'}</span>
            <span className="sr-only">Scoring status per metric</span>
          </button>
          <Progress label="Executed" done={r.numExecuted} total={expected} />
          <Progress label="Scored" done={r.numScores} total={expected * ms.length} />
          {live && (
            <span className="muted small live" role="status">
              Updating live
            </span>
          )}
        </div>
        <StatusReason run={r} />
        {explained && <StatusExplanation run={r} metrics={ms} />}
      </section>

      {showDetails && <RunDetailsPanel run={r} />}

      <AggregateCards run={r} metrics={ms} projectId={projectId} />

      <section className="card" aria-labelledby="records-title">
        <header className="section-head">
          <h2 id="records-title">Records</h2>
          <span className="muted small">{r.numRecords} in all</span>
        </header>
        {records.error && <ErrorNote error={records.error} what="records" />}
        {records.data && (
          <>
            <RecordsTable records={records.data.data} metrics={ms} projectId={projectId} />
            <Pager
              label="Records"
              cursor={cursor}
              nextCursor={records.data.nextCursor}
              hasMore={records.data.hasMore}
              onChange={(c) => url.set({ cursor: c }, { keepCursor: true })}
            />
          </>
        )}
      </section>

      <ComparePanel
        run={r}
        projectId={projectId}
        candidates={recentRuns.data?.data ?? []}
        baselineId={url.get('compare')}
        onBaseline={(id) => url.set({ compare: id }, { keepCursor: true })}
      />

      {modal === 'rescore' && (
        <RescoreModal run={r} metrics={metrics.data?.list ?? []} onClose={() => setModal(null)} />
      )}
      {modal === 'kickoff' && (
        <Suspense fallback={null}>
          <KickoffModal projectId={projectId} prefill={kickoffPrefill} onClose={() => setModal(null)} />
        </Suspense>
      )}
    </>
  );
}

function Progress({ label, done, total }: { label: string; done: number; total: number }) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div className="progress">
      <span className="small">
        {label} <strong>{done}</strong> / {total}
      </span>
      <progress max={total || 1} value={Math.min(done, total)} aria-label={`${label}: ${done} of ${total}`}>
        {pct}%
      </progress>
    </div>
  );
}

/**
 * Why the run is where it is, in the API's words (statusReason), when that says more than the badge: why it
 * failed, which records errored, a metric that gave no result, how many records are still to come.
 */
function StatusReason({ run }: { run: Run }) {
  const reason = reasonBeyondStatus(run);
  if (!reason) return null;
  const tone = run.status === 'failed' ? 'error-note' : run.status === 'completed' ? 'warn-note' : 'muted';
  return (
    <p className={`status-reason small ${tone}`} data-testid="status-reason">
      {reason}
    </p>
  );
}
