import { createColumnHelper } from '@tanstack/react-table';
import { lazy, Suspense, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Testcase } from '../../../sdk/types.js';
import { useTestcases, useTestset } from '../api/queries.js';
import { DataTable } from '../components/DataTable.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import { JsonViewer } from '../components/JsonViewer.js';
import { Pager } from '../components/Pager.js';
import { preview } from '../lib/format.js';
import { useUrlState } from '../lib/search-params.js';
import { usePageTitle } from '../lib/title.js';

const KickoffModal = lazy(() => import('../components/KickoffModal.js'));
const column = createColumnHelper<Testcase>();

export default function TestsetPage() {
  const { projectId = '', testsetId = '' } = useParams();
  const testset = useTestset(testsetId);
  usePageTitle(testset.data ? `Testset ${testset.data.name}` : 'Testset');
  const url = useUrlState();
  const cursor = url.get('cursor');
  const testcases = useTestcases(testsetId, cursor);
  const [kickoff, setKickoff] = useState(false);
  const columns = [
    column.accessor('id', {
      header: 'Testcase',
      cell: (c) => <span className="nowrap">…{c.getValue().slice(-6)}</span>,
    }),
    column.accessor('inputs', { header: 'Inputs', cell: (c) => <span className="clip">{preview(c.getValue())}</span> }),
    column.accessor('expected', {
      header: 'Expected',
      cell: (c) => <span className="clip">{preview(c.getValue())}</span>,
    }),
    column.display({
      id: 'valid',
      header: 'Valid',
      cell: (c) =>
        c.row.original.validationErrors?.length ? (
          <span className="text-bad small">
            {c.row.original.validationErrors.map((v) => `${v.path}: ${v.message}`).join('; ')}
          </span>
        ) : (
          'yes'
        ),
    }),
  ];
  if (testset.isPending) return <Loading what="the testset" />;
  if (testset.error) return <ErrorNote error={testset.error} what="the testset" />;
  const t = testset.data;
  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={`/projects/${projectId}/testsets`}>Testsets</Link> <span aria-hidden="true">/</span>{' '}
        <span>{t.name}</span>
      </nav>
      <header className="page-head">
        <div>
          <h1>{t.name}</h1>
          <p className="muted">{t.description || `${t.numTestcases} testcases`}</p>
        </div>
        <button type="button" className="primary" onClick={() => setKickoff(true)}>
          Kickoff run
        </button>
      </header>
      <section className="card stack">
        <h2>Fields</h2>
        <p>
          Inputs: <strong>{t.fieldMapping.inputs.join(', ') || '—'}</strong> · expected:{' '}
          <strong>{t.fieldMapping.expected.join(', ') || '—'}</strong> · metadata:{' '}
          {t.fieldMapping.metadata.join(', ') || '—'}
        </p>
        <details>
          <summary>JSON schema</summary>
          <JsonViewer label="JSON schema" value={t.jsonSchema} />
        </details>
      </section>
      <section className="card">
        <h2>Testcases ({t.numTestcases})</h2>
        {testcases.data && (
          <>
            <DataTable label="Testcases" data={testcases.data.data} columns={columns} rowId={(c) => c.id} />
            <Pager
              label="Testcases"
              cursor={cursor}
              nextCursor={testcases.data.nextCursor}
              hasMore={testcases.data.hasMore}
              onChange={(c) => url.set({ cursor: c }, { keepCursor: true })}
            />
          </>
        )}
      </section>
      {kickoff && (
        <Suspense fallback={null}>
          <KickoffModal projectId={projectId} prefill={{ testsetId }} onClose={() => setKickoff(false)} />
        </Suspense>
      )}
    </>
  );
}
