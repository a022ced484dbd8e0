import { createColumnHelper } from '@tanstack/react-table';
import { Link, useParams } from 'react-router';
import type { System } from '../../../sdk/types.js';
import { useSystems } from '../api/queries.js';
import { DataTable } from '../components/DataTable.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import { usePageTitle } from '../lib/title.js';

const column = createColumnHelper<System>();

export default function SystemsPage() {
  usePageTitle('Systems');
  const { projectId = '' } = useParams();
  const systems = useSystems(projectId);
  const columns = [
    column.accessor('name', {
      header: 'Name',
      cell: (c) => (
        <Link className="strong-link" to={`/projects/${projectId}/systems/${c.row.original.id}`}>
          {c.getValue()}
        </Link>
      ),
    }),
    column.accessor('description', {
      header: 'Description',
      cell: (c) => <span className="clip">{c.getValue()}</span>,
    }),
    column.display({ id: 'versions', header: 'Versions', cell: (c) => c.row.original.versions.length }),
    column.display({
      id: 'production',
      header: 'Production version',
      cell: (c) => c.row.original.productionVersion?.name ?? '—',
    }),
  ];
  return (
    <>
      <header className="page-head">
        <div>
          <h1>Systems</h1>
          <p className="muted">What runs evaluate: prompts, your HTTP agents, or code that posts its records.</p>
        </div>
      </header>
      <section className="card">
        {systems.isPending && <Loading what="systems" />}
        {systems.error && <ErrorNote error={systems.error} what="systems" />}
        {systems.data && (
          <DataTable
            label="Systems"
            data={systems.data.list}
            columns={columns}
            rowId={(s) => s.id}
            empty="No systems yet: save a prompt from the Playground or create one through the API."
          />
        )}
      </section>
    </>
  );
}
