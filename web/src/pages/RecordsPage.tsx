import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import type { RecordSearchFilter, RunSource } from '../../../sdk/types.js';
import { client } from '../api/client.js';
import { useMetrics, useRecordSearch } from '../api/queries.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import { Pager } from '../components/Pager.js';
import { RecordsTable } from '../components/run/RecordsTable.js';
import { SOURCES } from '../components/SourceChips.js';
import type { RunMetric } from '../lib/scores.js';
import { useUrlState } from '../lib/search-params.js';
import { usePageTitle } from '../lib/title.js';

const STATUSES = ['pending', 'running', 'completed', 'errored'] as const;
const BASE_COLUMNS = [
  ['run', 'Run'],
  ['inputs', 'Inputs'],
  ['outputs', 'Outputs'],
  ['expected', 'Expected'],
  ['latencyMs', 'Latency'],
  ['costUsd', 'Cost'],
  ['status', 'Status'],
] as const;

/** The datetime-local value of an ISO time and back (the API takes ISO 8601 with an offset). */
const toLocal = (iso: string | undefined) => (iso ? new Date(iso).toISOString().slice(0, 16) : '');
const fromLocal = (v: string) => (v ? new Date(v).toISOString() : undefined);

/** Project-wide records: the API's structured filters as a filter bar in the URL, cursor pages, chosen columns. */
export default function RecordsPage() {
  usePageTitle('Records');
  const { projectId = '' } = useParams();
  const url = useUrlState();
  const metrics = useMetrics(projectId);
  const passed = url.get('passed');
  // Rebuilt each render; TanStack Query hashes its key by value, so only a real change refetches.
  const filter: RecordSearchFilter = (() => {
    return {
      runId: url.get('runId'),
      testcaseId: url.get('testcaseId'),
      traceId: url.get('traceId'),
      status: url.get('status') as RecordSearchFilter['status'],
      metricId: url.get('metricId'),
      passed: url.get('metricId') && passed ? passed === 'true' : undefined,
      source: url.get('source') as RunSource | undefined,
      createdFrom: url.get('createdFrom'),
      createdTo: url.get('createdTo'),
      q: url.get('q'),
    };
  })();
  const cursor = url.get('cursor');
  const records = useRecordSearch(projectId, filter, cursor);
  const [columns, setColumns] = useColumnChoice(projectId);
  const [text, setText] = useState(filter.q ?? '');
  const [exportedRows, setExportedRows] = useState<number | null>(null);
  // The export of exactly what the filter bar shows: asked for (202), followed until the worker has written it.
  const exportCsv = useMutation({
    mutationFn: () =>
      client().records.export(projectId, filter, { wait: { onProgress: (job) => setExportedRows(job.rows) } }),
    // The presigned link answers with Content-Disposition: attachment, so the browser downloads the file.
    onSuccess: (link) => window.location.assign(link.url),
    onSettled: () => setExportedRows(null),
  });

  const metricColumns: RunMetric[] = (metrics.data?.list ?? []).map((m) => ({
    metricId: m.id,
    versionId: '',
    metric: m,
    name: m.name,
  }));
  const visibility = Object.fromEntries(
    [...BASE_COLUMNS.map(([id]) => id), ...metricColumns.map((m) => `metric:${m.metricId}`)].map((id) => [
      id,
      !columns.hidden.includes(id),
    ]),
  );

  return (
    <>
      <header className="page-head">
        <div>
          <h1>Records</h1>
          <p className="muted">Every record of every run in this project, newest first.</p>
        </div>
        <div className="actions">
          <button type="button" onClick={() => exportCsv.mutate()} disabled={exportCsv.isPending}>
            {exportCsv.isPending ? `Exporting… ${exportedRows ?? 0} rows` : 'Export matching records as CSV'}
          </button>
        </div>
      </header>
      {exportCsv.error && <ErrorNote error={exportCsv.error} what="the export" />}
      <section className="card filters" aria-label="Filters">
        <form
          className="filter-bar"
          onSubmit={(e) => {
            e.preventDefault();
            url.set({ q: text.trim() || undefined });
          }}
        >
          <div className="field">
            <label htmlFor="f-q">Text</label>
            <input
              id="f-q"
              type="search"
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="in inputs, outputs, expected"
            />
          </div>
          <div className="field">
            <label htmlFor="f-metric">Metric</label>
            <select
              id="f-metric"
              value={filter.metricId ?? ''}
              onChange={(e) =>
                url.set({ metricId: e.target.value, passed: e.target.value ? url.get('passed') : undefined })
              }
            >
              <option value="">Any</option>
              {metrics.data?.list.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-passed">Result</label>
            <select
              id="f-passed"
              value={url.get('passed') ?? ''}
              disabled={!filter.metricId}
              onChange={(e) => url.set({ passed: e.target.value })}
            >
              <option value="">Any</option>
              <option value="true">Passed</option>
              <option value="false">Failed</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-status">Status</label>
            <select id="f-status" value={filter.status ?? ''} onChange={(e) => url.set({ status: e.target.value })}>
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-source">Source</label>
            <select id="f-source" value={filter.source ?? ''} onChange={(e) => url.set({ source: e.target.value })}>
              <option value="">Any</option>
              {SOURCES.map(([s, label]) => (
                <option key={s} value={s}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-run">Run id</label>
            <input
              id="f-run"
              defaultValue={filter.runId ?? ''}
              onBlur={(e) => url.set({ runId: e.target.value.trim() })}
            />
          </div>
          <div className="field">
            <label htmlFor="f-testcase">Testcase id</label>
            <input
              id="f-testcase"
              defaultValue={filter.testcaseId ?? ''}
              onBlur={(e) => url.set({ testcaseId: e.target.value.trim() })}
            />
          </div>
          <div className="field">
            <label htmlFor="f-trace">Trace id</label>
            <input
              id="f-trace"
              defaultValue={filter.traceId ?? ''}
              onBlur={(e) => url.set({ traceId: e.target.value.trim() })}
            />
          </div>
          <div className="field">
            <label htmlFor="f-from">Created from</label>
            <input
              id="f-from"
              type="datetime-local"
              value={toLocal(filter.createdFrom)}
              onChange={(e) => url.set({ createdFrom: fromLocal(e.target.value) })}
            />
          </div>
          <div className="field">
            <label htmlFor="f-to">Created before</label>
            <input
              id="f-to"
              type="datetime-local"
              value={toLocal(filter.createdTo)}
              onChange={(e) => url.set({ createdTo: fromLocal(e.target.value) })}
            />
          </div>
          <div className="filter-actions">
            <button type="submit" className="primary">
              Search
            </button>
            <button
              type="button"
              onClick={() => {
                setText('');
                url.set(Object.fromEntries([...url.params.keys()].map((k) => [k, undefined])));
              }}
            >
              Clear filters
            </button>
          </div>
        </form>
      </section>
      <section className="card" aria-labelledby="records-title">
        <header className="section-head">
          <h2 id="records-title">Matching records</h2>
          <details className="dropdown">
            <summary>Columns</summary>
            <fieldset className="dropdown-panel">
              <legend className="sr-only">Columns to show</legend>
              {[...BASE_COLUMNS, ...metricColumns.map((m) => [`metric:${m.metricId}`, m.name] as const)].map(
                ([id, label]) => (
                  <label key={id} className="check">
                    <input type="checkbox" checked={!columns.hidden.includes(id)} onChange={() => setColumns(id)} />
                    {label}
                  </label>
                ),
              )}
            </fieldset>
          </details>
        </header>
        {records.isPending && <Loading what="records" />}
        {records.error && <ErrorNote error={records.error} what="records" />}
        {records.data && (
          <>
            <RecordsTable
              records={records.data.data}
              metrics={metricColumns}
              projectId={projectId}
              columnVisibility={visibility}
              showRun
            />
            <Pager
              label="Records"
              cursor={cursor}
              count={records.data.data.length}
              nextCursor={records.data.nextCursor}
              hasMore={records.data.hasMore}
              onChange={(c) => url.set({ cursor: c }, { keepCursor: true })}
            />
          </>
        )}
      </section>
    </>
  );
}

/** Which columns are hidden, remembered per project in localStorage (a preference, not a secret). */
function useColumnChoice(projectId: string) {
  const key = `verdict.records.columns.${projectId}`;
  const [hidden, setHidden] = useState<string[]>(() => {
    try {
      return JSON.parse(localStorage.getItem(key) ?? '[]') as string[];
    } catch {
      return [];
    }
  });
  const toggle = (id: string) => {
    const next = hidden.includes(id) ? hidden.filter((h) => h !== id) : [...hidden, id];
    localStorage.setItem(key, JSON.stringify(next));
    setHidden(next);
  };
  return [{ hidden }, toggle] as const;
}
