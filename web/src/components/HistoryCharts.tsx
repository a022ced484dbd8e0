import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Metric, MetricHistory, RunSource } from '../../../sdk/types.js';
import { useRunHistory } from '../api/queries.js';
import { decimal, when } from '../lib/format.js';
import { ErrorNote } from './Feedback.js';
import { type ChartRun, HistoryChart } from './HistoryChart.js';

interface RunPoint {
  runId: string;
  label: string;
  createdAt: string;
  systemVersion: string | null;
}

/**
 * Run history above the runs list: one small chart per chosen metric (pass rate for boolean metrics, mean for
 * int/float) over the project's completed runs, with the hover synchronised across the charts.
 */
export function HistoryCharts({
  projectId,
  metrics,
  chosen,
  onChoose,
  source,
}: {
  projectId: string;
  metrics: Metric[];
  chosen: string[];
  onChoose: (ids: string[]) => void;
  source: RunSource | undefined;
}) {
  const history = useRunHistory(projectId, chosen, source);
  // Per chart, the run its own uPlot cursor is on: the other charts follow through uPlot's sync, not React state.
  const [hoveredBy, setHoveredBy] = useState<Record<string, number | null>>({});
  const navigate = useNavigate();

  const { runs, series } = useMemo(() => alignRuns(history.data?.metrics ?? []), [history.data]);
  const byId = new Map(metrics.map((m) => [m.id, m]));

  return (
    <section className="card history" aria-labelledby="history-title">
      <header className="section-head">
        <h2 id="history-title">Run history</h2>
        <MetricChooser metrics={metrics} chosen={chosen} onChoose={onChoose} />
      </header>
      {chosen.length === 0 && <p className="muted">Choose metrics to chart their history.</p>}
      {history.error && <ErrorNote error={history.error} what="run history" />}
      {history.data && runs.length === 0 && chosen.length > 0 && (
        <p className="muted">No completed runs with these metrics yet.</p>
      )}
      {runs.length > 0 && (
        <div className="chart-grid">
          {(history.data?.metrics ?? []).map((m) => {
            const isPercent = m.outputType === 'boolean';
            const values = series.get(m.metricId) ?? [];
            const hovered = hoveredBy[m.metricId] ?? null;
            const hoveredRun = hovered !== null ? runs[hovered] : undefined;
            const value = hovered !== null ? values[hovered] : undefined;
            return (
              <figure
                key={m.metricId}
                className="chart"
                data-metric-id={m.metricId}
                data-highlighted-run={hoveredRun?.runId ?? ''}
              >
                <figcaption>
                  <Link to={`/projects/${projectId}/metrics/${m.metricId}`} className="chart-title">
                    {byId.get(m.metricId)?.name ?? m.name}
                  </Link>
                  <span className="muted small">{isPercent ? 'pass rate' : 'mean score'}</span>
                </figcaption>
                <HistoryChart
                  runs={runs}
                  values={values}
                  percent={isPercent}
                  syncKey={`history-${projectId}`}
                  label={m.name}
                  onHover={(i) => setHoveredBy((h) => (h[m.metricId] === i ? h : { ...h, [m.metricId]: i }))}
                  onPick={(i) => runs[i] && navigate(`/projects/${projectId}/runs/${runs[i].runId}`)}
                />
                <p className="chart-readout" aria-live="polite">
                  {hoveredRun ? (
                    <>
                      <strong>{hoveredRun.label}</strong> · {when(hoveredRun.createdAt)}
                      {hoveredRun.systemVersion ? ` · ${hoveredRun.systemVersion}` : ''} ·{' '}
                      <strong>
                        {value === null || value === undefined
                          ? 'not scored'
                          : isPercent
                            ? `${decimal(value, 1)}%`
                            : decimal(value)}
                      </strong>
                    </>
                  ) : (
                    <span className="muted">Hover a point to see its run; click to open it.</span>
                  )}
                </p>
              </figure>
            );
          })}
        </div>
      )}
    </section>
  );
}

/** The union of runs over all charted metrics, oldest first, and each metric's value per run (null if absent). */
function alignRuns(histories: MetricHistory[]): {
  runs: Array<ChartRun & RunPoint>;
  series: Map<string, Array<number | null>>;
} {
  const runs = new Map<string, RunPoint>();
  for (const h of histories) {
    for (const p of h.points) {
      if (!runs.has(p.runId)) {
        runs.set(p.runId, {
          runId: p.runId,
          label: p.runName || `Run …${p.runId.slice(-6)}`,
          createdAt: p.createdAt,
          systemVersion: p.systemVersion?.name ?? null,
        });
      }
    }
  }
  const ordered = [...runs.values()].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.runId.localeCompare(b.runId),
  );
  const index = new Map(ordered.map((r, i) => [r.runId, i]));
  const series = new Map<string, Array<number | null>>();
  for (const h of histories) {
    const values: Array<number | null> = ordered.map(() => null);
    // Boolean metrics chart their pass rate in percent.
    const scale = h.outputType === 'boolean' ? 100 : 1;
    for (const p of h.points) values[index.get(p.runId)!] = p.value === null ? null : p.value * scale;
    series.set(h.metricId, values);
  }
  return { runs: ordered, series };
}

function MetricChooser({
  metrics,
  chosen,
  onChoose,
}: {
  metrics: Metric[];
  chosen: string[];
  onChoose: (ids: string[]) => void;
}) {
  const toggle = (id: string) => onChoose(chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);
  return (
    <details className="dropdown">
      <summary>Metrics ({chosen.length})</summary>
      <fieldset className="dropdown-panel">
        <legend className="sr-only">Metrics to chart</legend>
        {metrics.length === 0 && <p className="muted small">No metrics in this project.</p>}
        {metrics.map((m) => (
          <label key={m.id} className="check">
            <input type="checkbox" checked={chosen.includes(m.id)} onChange={() => toggle(m.id)} />
            {m.name}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
