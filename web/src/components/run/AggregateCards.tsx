import { Link } from 'react-router';
import type { MetricAggregate, Run } from '../../../../sdk/types.js';
import { decimal, percent } from '../../lib/format.js';
import type { RunMetric } from '../../lib/scores.js';

/** One card per metric: pass rate, passed / failed, mean, median, and a histogram for int and float metrics. */
export function AggregateCards({ run, metrics, projectId }: { run: Run; metrics: RunMetric[]; projectId: string }) {
  if (metrics.length === 0) return null;
  return (
    <section aria-label="Scores per metric" className="aggregate-grid">
      {metrics.map((m) => {
        const a = run.aggregates?.[m.versionId];
        const progress = run.statusExplanation[m.versionId];
        return (
          <article key={m.versionId} className="card aggregate" data-metric-version={m.versionId}>
            <header>
              <Link to={`/projects/${projectId}/metrics/${m.metricId}`} className="strong-link">
                {m.name}
              </Link>
              <span className="muted small">{m.metric ? `${m.metric.evalType} · ${m.metric.outputType}` : ''}</span>
            </header>
            {a ? (
              <AggregateBody a={a} />
            ) : (
              <p className="muted small">
                {progress
                  ? `${progress.scored + progress.errored} of ${progress.total} scored so far`
                  : 'Not scored yet'}
              </p>
            )}
          </article>
        );
      })}
    </section>
  );
}

function AggregateBody({ a }: { a: MetricAggregate }) {
  return (
    <>
      <p className="headline">
        {a.outputType === 'boolean' ? percent(a.passRate, 1) : decimal(a.mean)}
        <span className="muted small">{a.outputType === 'boolean' ? ' pass rate' : ' mean'}</span>
      </p>
      <dl className="stats">
        <div>
          <dt>Passed</dt>
          <dd className="text-good">{a.passed}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd className="text-bad">{a.failed}</dd>
        </div>
        {a.errored > 0 && (
          <div>
            <dt>Errored</dt>
            <dd>{a.errored}</dd>
          </div>
        )}
        {a.outputType !== 'boolean' && (
          <>
            <div>
              <dt>Pass rate</dt>
              <dd>{percent(a.passRate)}</dd>
            </div>
            <div>
              <dt>Median</dt>
              <dd>{decimal(a.median)}</dd>
            </div>
          </>
        )}
      </dl>
      {a.histogram && Object.keys(a.histogram).length > 0 && <Histogram bins={a.histogram} />}
    </>
  );
}

/** Bars of how many scores fell in each bucket; the numbers are in the title and the accessible label. */
function Histogram({ bins }: { bins: Record<string, number> }) {
  const entries = Object.entries(bins).sort(([a], [b]) => Number.parseFloat(a) - Number.parseFloat(b));
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const label = entries.map(([k, n]) => `${k}: ${n}`).join(', ');
  return (
    <div className="histogram" role="img" aria-label={`Histogram of scores: ${label}`}>
      {entries.map(([bucket, n]) => (
        <div key={bucket} className="histogram-bin" title={`${bucket}: ${n}`}>
          <div className="histogram-bar" style={{ height: `${(n / max) * 100}%` }} />
          <span className="histogram-label">{bucket}</span>
        </div>
      ))}
    </div>
  );
}
