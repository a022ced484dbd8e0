import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { client } from '../api/client.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import { JsonViewer } from '../components/JsonViewer.js';
import { thresholdText } from '../lib/scores.js';
import { usePageTitle } from '../lib/title.js';

export default function MetricPage() {
  const { projectId = '', metricId = '' } = useParams();
  const metric = useQuery({ queryKey: ['metric', metricId], queryFn: () => client().metrics.get(metricId) });
  usePageTitle(metric.data ? `Metric ${metric.data.name}` : 'Metric');
  if (metric.isPending) return <Loading what="the metric" />;
  if (metric.error) return <ErrorNote error={metric.error} what="the metric" />;
  const m = metric.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={`/projects/${projectId}/metrics`}>Metrics</Link> <span aria-hidden="true">/</span>{' '}
        <span>{m.name}</span>
      </nav>
      <header className="page-head">
        <div>
          <h1>{m.name}</h1>
          <p className="muted">{m.description || 'No description'}</p>
        </div>
        <Link className="button" to={`/projects/${projectId}/records?metricId=${m.id}&passed=false`}>
          Failing records
        </Link>
      </header>
      <section className="card">
        <dl className="stats wide">
          <div>
            <dt>Kind</dt>
            <dd>{m.evalType}</dd>
          </div>
          <div>
            <dt>Output</dt>
            <dd>{m.outputType}</dd>
          </div>
          <div>
            <dt>Passing</dt>
            <dd>{thresholdText(m)}</dd>
          </div>
          {m.evalModelName && (
            <div>
              <dt>Judge model</dt>
              <dd>{m.evalModelName}</dd>
            </div>
          )}
          <div>
            <dt>Current version</dt>
            <dd className="small">{m.versionId}</dd>
          </div>
        </dl>
        {m.guidelines && (
          <>
            <h2>Guidelines</h2>
            <p className="prewrap">{m.guidelines}</p>
          </>
        )}
        {m.promptTemplate && (
          <>
            <h2>Prompt template</h2>
            <pre className="code">{m.promptTemplate}</pre>
          </>
        )}
        {m.heuristic && (
          <>
            <h2>Heuristic</h2>
            <JsonViewer label="Heuristic" value={m.heuristic} />
          </>
        )}
      </section>
    </>
  );
}
