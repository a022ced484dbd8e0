import type { Run } from '../../../../sdk/types.js';
import type { RunMetric } from '../../lib/scores.js';

/** Per metric: scored / errored / pending / total, and why the latest errored score failed. */
export function StatusExplanation({ run, metrics }: { run: Run; metrics: RunMetric[] }) {
  return (
    <div className="status-explanation" id="status-explanation">
      <table className="data-table compact" aria-label="Scoring status per metric">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Scored</th>
            <th scope="col">Errored</th>
            <th scope="col">Pending</th>
            <th scope="col">Total</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => {
            const p = run.statusExplanation[m.versionId] ?? { scored: 0, errored: 0, total: 0 };
            const human = run.humanMetricVersionIds.includes(m.versionId);
            return (
              <tr key={m.versionId} data-metric-version={m.versionId}>
                <th scope="row">
                  {m.name}
                  {human && <span className="tag">human</span>}
                </th>
                <td>{p.scored}</td>
                <td className={p.errored ? 'text-bad' : undefined}>{p.errored}</td>
                <td>{Math.max(0, p.total - p.scored - p.errored)}</td>
                <td>{p.total}</td>
                <td className="small">{p.lastError ?? ''}</td>
              </tr>
            );
          })}
          {metrics.length === 0 && (
            <tr>
              <td colSpan={6} className="empty-cell">
                This run has no metrics: its records are kept unscored.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <p className="muted small">
        {run.numExecuted} of {run.numExpectedRecords ?? run.numRecords} records executed
        {run.numErroredRecords ? `, ${run.numErroredRecords} errored` : ''}.
        {run.status === 'awaiting_human_scoring' && ' Automatic scoring is done; the run waits for human scores.'}
      </p>
    </div>
  );
}
