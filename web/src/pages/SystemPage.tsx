import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { client } from '../api/client.js';
import { useSystemVersion } from '../api/queries.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import { JsonViewer } from '../components/JsonViewer.js';
import { useUrlState } from '../lib/search-params.js';
import { usePageTitle } from '../lib/title.js';

export default function SystemPage() {
  const { projectId = '', systemId = '' } = useParams();
  const system = useQuery({ queryKey: ['system', systemId], queryFn: () => client().systems.get(systemId) });
  usePageTitle(system.data ? `System ${system.data.name}` : 'System');
  const url = useUrlState();
  const versionId = url.get('version') ?? system.data?.productionVersion?.id ?? system.data?.versions.at(-1)?.id;
  const version = useSystemVersion(versionId);
  if (system.isPending) return <Loading what="the system" />;
  if (system.error) return <ErrorNote error={system.error} what="the system" />;
  const s = system.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={`/projects/${projectId}/systems`}>Systems</Link> <span aria-hidden="true">/</span>{' '}
        <span>{s.name}</span>
      </nav>
      <header className="page-head">
        <div>
          <h1>{s.name}</h1>
          <p className="muted">{s.description || 'No description'}</p>
        </div>
        {versionId && (
          <Link className="button" to={`/projects/${projectId}/playground?version=${versionId}`}>
            Open in Playground
          </Link>
        )}
      </header>
      <div className="two-col">
        <section className="card">
          <h2>Versions</h2>
          <ul className="version-list">
            {s.versions.map((v) => (
              <li key={v.id}>
                <Link to={`?version=${v.id}`} aria-current={v.id === versionId ? 'true' : undefined}>
                  {v.name}
                </Link>
                {s.productionVersion?.id === v.id && <span className="tag">production</span>}
              </li>
            ))}
          </ul>
        </section>
        <section className="card">
          <h2>Config {version.data ? `of ${version.data.name}` : ''}</h2>
          {version.data && <JsonViewer label="System version config" value={version.data.config} openDepth={3} />}
        </section>
      </div>
    </>
  );
}
