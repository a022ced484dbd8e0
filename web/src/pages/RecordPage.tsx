import { Link, useParams } from 'react-router';
import type { Metric, Score } from '../../../sdk/types.js';
import { useMetrics, useRecord, useRun } from '../api/queries.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import { HumanScoreForm } from '../components/HumanScoreForm.js';
import { JsonViewer } from '../components/JsonViewer.js';
import { ms, usd, when } from '../lib/format.js';
import { runMetrics, scoreText, scoreTone, thresholdText } from '../lib/scores.js';
import { usePageTitle } from '../lib/title.js';

/** One record: what went in, what came out, what was expected, and every score with its reasoning. */
export default function RecordPage() {
  const { projectId = '', recordId = '' } = useParams();
  usePageTitle(`Record …${recordId.slice(-6)}`);
  const record = useRecord(recordId);
  const run = useRun(record.data?.runId ?? '');
  const metrics = useMetrics(projectId);

  if (record.isPending) return <Loading what="the record" />;
  if (record.error) return <ErrorNote error={record.error} what="the record" />;
  const r = record.data;
  const inRun = run.data ? runMetrics(run.data, metrics.data?.byId) : [];
  // Every metric the run scores, plus any score of a metric that has since left the run.
  const rows = [
    ...inRun.map((m) => ({ ...m, score: r.scores.find((s) => s.metricConfigId === m.versionId) })),
    ...r.scores
      .filter((s) => !inRun.some((m) => m.versionId === s.metricConfigId))
      .map((s) => ({
        metricId: s.metricId,
        versionId: s.metricConfigId,
        metric: metrics.data?.byId.get(s.metricId),
        name: metrics.data?.byId.get(s.metricId)?.name ?? s.metricId,
        score: s,
      })),
  ];

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={`/projects/${projectId}/runs`}>Runs</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/projects/${projectId}/runs/${r.runId}`}>{run.data?.name || `Run …${r.runId.slice(-6)}`}</Link>{' '}
        <span aria-hidden="true">/</span> <span>Record …{r.id.slice(-6)}</span>
      </nav>
      <header className="page-head">
        <div>
          <h1>Record …{r.id.slice(-6)}</h1>
          <p className="muted small">
            <span className={`tag tag-${r.status}`}>{r.status}</span> · {when(r.createdAt)} · latency {ms(r.latencyMs)}{' '}
            · cost {usd(r.costUsd)}
            {r.usage && ` · ${r.usage.promptTokens} + ${r.usage.completionTokens} tokens`}
            {r.traceId && ` · trace ${r.traceId}`}
          </p>
        </div>
      </header>
      {r.error && (
        <p className="error-note" role="alert">
          The system failed: {r.error}
        </p>
      )}
      <div className="io-grid">
        <section className="card" aria-labelledby="inputs-title">
          <h2 id="inputs-title">Inputs</h2>
          <JsonViewer label="Inputs" value={r.inputs} />
        </section>
        <section className="card" aria-labelledby="outputs-title">
          <h2 id="outputs-title">Outputs</h2>
          <JsonViewer label="Outputs" value={r.outputs} />
        </section>
        <section className="card" aria-labelledby="expected-title">
          <h2 id="expected-title">Expected outputs</h2>
          <JsonViewer label="Expected outputs" value={r.expected} />
        </section>
      </div>
      <section aria-labelledby="scores-title">
        <h2 id="scores-title">Scores</h2>
        {rows.length === 0 && <p className="muted">This record has no metrics to score.</p>}
        <div className="score-list">
          {rows.map((row) => (
            <ScoreCard
              key={row.versionId}
              name={row.name}
              metric={row.metric}
              score={row.score}
              human={
                row.metric?.evalType === 'human' || (run.data?.humanMetricVersionIds.includes(row.versionId) ?? false)
              }
              form={
                row.metric &&
                (row.metric.evalType === 'human' || run.data?.humanMetricVersionIds.includes(row.versionId)) ? (
                  <HumanScoreForm
                    recordId={r.id}
                    runId={r.runId}
                    metric={row.metric}
                    versionId={row.versionId}
                    current={row.score}
                  />
                ) : null
              }
            />
          ))}
        </div>
      </section>
    </>
  );
}

function ScoreCard({
  name,
  metric,
  score,
  human,
  form,
}: {
  name: string;
  metric: Metric | undefined;
  score: Score | undefined;
  human: boolean;
  form: React.ReactNode;
}) {
  const tone = scoreTone(score);
  return (
    <article className={`card score-card score-card-${tone}`} aria-label={`Score for ${name}`}>
      <header className="section-head">
        <h3>{name}</h3>
        <span className={`score score-${tone}`}>{scoreText(score)}</span>
      </header>
      <dl className="stats">
        <div>
          <dt>Passed</dt>
          <dd>{score?.passed === true ? 'yes' : score?.passed === false ? 'no' : '—'}</dd>
        </div>
        <div>
          <dt>Threshold</dt>
          <dd>{thresholdText(metric)}</dd>
        </div>
        <div>
          <dt>Judge</dt>
          <dd>
            {human ? 'a person' : metric?.evalType === 'ai' ? (metric.evalModelName ?? '—') : (metric?.evalType ?? '—')}
          </dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>{score?.usage ? `${score.usage.promptTokens} + ${score.usage.completionTokens}` : '—'}</dd>
        </div>
        <div>
          <dt>Latency</dt>
          <dd>{ms(score?.latencyMs)}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{score?.status ?? 'not scored'}</dd>
        </div>
      </dl>
      {score?.score.reasoning && (
        <div className="reasoning">
          <h4>Reasoning</h4>
          <p>{score.score.reasoning}</p>
        </div>
      )}
      {score?.error && (
        <p className="error-note" role="alert">
          {score.error}
        </p>
      )}
      {form}
    </article>
  );
}
