import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { lazy, Suspense, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { Testset } from '../../../sdk/types.js';
import { client, errorText } from '../api/client.js';
import { useTestsets } from '../api/queries.js';
import { DataTable } from '../components/DataTable.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import { parseRows } from '../lib/parse-rows.js';
import { usePageTitle } from '../lib/title.js';

const KickoffModal = lazy(() => import('../components/KickoffModal.js'));
const column = createColumnHelper<Testset>();

export default function TestsetsPage() {
  usePageTitle('Testsets');
  const { projectId = '' } = useParams();
  const testsets = useTestsets(projectId);
  const [kickoff, setKickoff] = useState<string | null>(null);
  const columns = [
    column.accessor('name', {
      header: 'Name',
      cell: (c) => (
        <Link className="strong-link" to={`/projects/${projectId}/testsets/${c.row.original.id}`}>
          {c.getValue()}
        </Link>
      ),
    }),
    column.accessor('description', { header: 'Description' }),
    column.accessor('numTestcases', { header: 'Testcases' }),
    column.display({
      id: 'fields',
      header: 'Inputs → expected',
      cell: (c) => (
        <span className="small">
          {c.row.original.fieldMapping.inputs.join(', ') || '—'} →{' '}
          {c.row.original.fieldMapping.expected.join(', ') || '—'}
        </span>
      ),
    }),
    column.display({
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      cell: (c) => (
        <button type="button" className="small-button" onClick={() => setKickoff(c.row.original.id)}>
          Kickoff run
        </button>
      ),
    }),
  ];
  return (
    <>
      <header className="page-head">
        <div>
          <h1>Testsets</h1>
          <p className="muted">The testcases runs are evaluated on.</p>
        </div>
      </header>
      <section className="card">
        {testsets.isPending && <Loading what="testsets" />}
        {testsets.error && <ErrorNote error={testsets.error} what="testsets" />}
        {testsets.data && (
          <DataTable
            label="Testsets"
            data={testsets.data}
            columns={columns}
            rowId={(t) => t.id}
            empty="No testsets yet: upload one below."
          />
        )}
      </section>
      <UploadTestset projectId={projectId} />
      {kickoff && (
        <Suspense fallback={null}>
          <KickoffModal projectId={projectId} prefill={{ testsetId: kickoff }} onClose={() => setKickoff(null)} />
        </Suspense>
      )}
    </>
  );
}

type Role = 'inputs' | 'expected' | 'metadata';
const guessRole = (field: string): Role =>
  /^(expected|answer|ideal|target|label|reference)/i.test(field) ? 'expected' : 'inputs';

/** A new testset from a CSV or JSONL file: each column becomes an input, an expected output or metadata. */
function UploadTestset({ projectId }: { projectId: string }) {
  const [name, setName] = useState('');
  const [rows, setRows] = useState<Array<Record<string, unknown>>>([]);
  const [roles, setRoles] = useState<Record<string, Role>>({});
  const [parseError, setParseError] = useState<string | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const fields = Object.keys(roles);

  async function readFile(file: File) {
    setParseError(null);
    try {
      const parsed = parseRows(file.name, await file.text());
      if (parsed.length === 0) throw new Error('the file has no rows');
      const keys = [...new Set(parsed.flatMap((r) => Object.keys(r)))];
      setRows(parsed);
      setRoles(Object.fromEntries(keys.map((k) => [k, guessRole(k)])));
      if (!name) setName(file.name.replace(/\.[^.]+$/, ''));
    } catch (e) {
      setRows([]);
      setRoles({});
      setParseError(`Could not read ${file.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  const upload = useMutation({
    mutationFn: async () => {
      const pick = (r: Role) => fields.filter((f) => roles[f] === r);
      const testset = await client().testsets.create(projectId, {
        name,
        fieldMapping: { inputs: pick('inputs'), expected: pick('expected'), metadata: pick('metadata') },
      });
      for (let i = 0; i < rows.length; i += 100) {
        setProgress(`Uploading testcases ${i + 1}–${Math.min(rows.length, i + 100)} of ${rows.length}…`);
        await client().testcases.create(
          testset.id,
          rows.slice(i, i + 100).map((jsonData) => ({ jsonData })),
        );
      }
      return testset;
    },
    onSuccess: (testset) => {
      void queries.invalidateQueries({ queryKey: ['testsets', projectId] });
      navigate(`/projects/${projectId}/testsets/${testset.id}`);
    },
    onSettled: () => setProgress(null),
  });

  return (
    <form
      className="card form-card stack"
      onSubmit={(e) => {
        e.preventDefault();
        upload.mutate();
      }}
    >
      <h2>Upload a testset</h2>
      <p className="muted small">A CSV with a header row, or JSON Lines (one JSON object per line).</p>
      <div className="field">
        <label htmlFor="ts-file">File</label>
        <input
          id="ts-file"
          type="file"
          accept=".csv,.jsonl,.json,text/csv"
          onChange={(e) => e.target.files?.[0] && void readFile(e.target.files[0])}
        />
      </div>
      {parseError && (
        <p className="error-note" role="alert">
          {parseError}
        </p>
      )}
      <div className="field">
        <label htmlFor="ts-name">Name</label>
        <input id="ts-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      {fields.length > 0 && (
        <fieldset>
          <legend>{rows.length} rows · what each field is</legend>
          <table className="data-table compact">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Example</th>
                <th scope="col">Role</th>
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr key={f}>
                  <th scope="row">{f}</th>
                  <td className="small clip">{String(rows[0]?.[f] ?? '')}</td>
                  <td>
                    <label className="sr-only" htmlFor={`role-${f}`}>
                      Role of {f}
                    </label>
                    <select
                      id={`role-${f}`}
                      value={roles[f]}
                      onChange={(e) => setRoles({ ...roles, [f]: e.target.value as Role })}
                    >
                      <option value="inputs">input</option>
                      <option value="expected">expected output</option>
                      <option value="metadata">metadata</option>
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </fieldset>
      )}
      {progress && <p role="status">{progress}</p>}
      {upload.error && (
        <p className="error-note" role="alert">
          {errorText(upload.error)}
        </p>
      )}
      <button type="submit" className="primary" disabled={!name.trim() || rows.length === 0 || upload.isPending}>
        Create testset
      </button>
    </form>
  );
}
