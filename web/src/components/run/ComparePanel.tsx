import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Run } from '../../../../sdk/types.js';
import { client } from '../../api/client.js';
import { decimal, percent } from '../../lib/format.js';
import { ErrorNote, Loading } from '../Feedback.js';

/** "Compare with…": this run against a baseline, per metric, with the paired-bootstrap interval and verdict. */
export function ComparePanel({
  run,
  candidates,
  baselineId,
  onBaseline,
  projectId,
}: {
  run: Run;
  candidates: Run[];
  baselineId: string | undefined;
  onBaseline: (id: string | undefined) => void;
  projectId: string;
}) {
  const comparison = useQuery({
    queryKey: ['compare', run.id, baselineId, run.generation, run.status],
    queryFn: () => client().runs.compare(run.id, baselineId!),
    enabled: !!baselineId,
  });
  const others = candidates.filter((c) => c.id !== run.id);
  return (
    <section className="card" aria-labelledby="compare-title">
      <header className="section-head">
        <h2 id="compare-title">Compare with another run</h2>
        <div className="field inline">
          <label htmlFor="compare-baseline">Baseline run</label>
          <select
            id="compare-baseline"
            value={baselineId ?? ''}
            onChange={(e) => onBaseline(e.target.value || undefined)}
          >
            <option value="">Choose a run…</option>
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name || `Run …${c.id.slice(-6)}`} · {new Date(c.createdAt).toLocaleString()}
              </option>
            ))}
          </select>
        </div>
      </header>
      {comparison.isFetching && !comparison.data && <Loading what="the comparison" />}
      {comparison.error && <ErrorNote error={comparison.error} what="the comparison" />}
      {comparison.data && (
        <>
          <p className="muted small">
            {comparison.data.paired} records paired by testcase and trial;{' '}
            {Math.round(comparison.data.confidence * 100)}% paired-bootstrap interval of the difference.
          </p>
          <table className="data-table compact" aria-label="Comparison per metric">
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Baseline</th>
                <th scope="col">This run</th>
                <th scope="col">Difference</th>
                <th scope="col">Interval</th>
                <th scope="col">Verdict</th>
                <th scope="col">Regressed records</th>
              </tr>
            </thead>
            <tbody>
              {comparison.data.metrics.map((m) => {
                const fmt = (v: number | null) => (m.statistic === 'passRate' ? percent(v, 1) : decimal(v));
                return (
                  <tr key={m.metricId}>
                    <th scope="row">{m.name}</th>
                    <td>{fmt(m.baseline)}</td>
                    <td>{fmt(m.candidate)}</td>
                    <td className={m.difference !== null && m.difference < 0 ? 'text-bad' : 'text-good'}>
                      {m.difference === null ? '—' : `${m.difference > 0 ? '+' : ''}${fmt(m.difference)}`}
                    </td>
                    <td>{m.interval ? `${fmt(m.interval.lower)} … ${fmt(m.interval.upper)}` : '—'}</td>
                    <td>
                      <span className={`tag tag-${m.change}`}>{m.change === 'none' ? 'no real change' : m.change}</span>
                    </td>
                    <td>
                      {m.numRegressions}
                      {m.regressions.slice(0, 3).map((r) => (
                        <Link key={r.recordId} className="small" to={`/projects/${projectId}/records/${r.recordId}`}>
                          {' '}
                          …{r.recordId.slice(-6)}
                        </Link>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
