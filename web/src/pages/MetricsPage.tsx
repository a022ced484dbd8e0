import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { CreateMetricInput, Metric } from '../../../sdk/types.js';
import { client, errorText } from '../api/client.js';
import { useMetrics } from '../api/queries.js';
import { DataTable } from '../components/DataTable.js';
import { ErrorNote, Loading } from '../components/Feedback.js';
import { thresholdText } from '../lib/scores.js';
import { usePageTitle } from '../lib/title.js';

const column = createColumnHelper<Metric>();
const HEURISTICS = [
  'exact_match',
  'contains',
  'regex',
  'json_valid',
  'levenshtein',
  'numeric_tolerance',
  'length',
  'latency',
  'cost',
] as const;

export default function MetricsPage() {
  usePageTitle('Metrics');
  const { projectId = '' } = useParams();
  const metrics = useMetrics(projectId);
  const columns = [
    column.accessor('name', {
      header: 'Name',
      cell: (c) => (
        <Link className="strong-link" to={`/projects/${projectId}/metrics/${c.row.original.id}`}>
          {c.getValue()}
        </Link>
      ),
    }),
    column.accessor('evalType', { header: 'Kind', cell: (c) => <span className="tag">{c.getValue()}</span> }),
    column.accessor('outputType', { header: 'Output' }),
    column.display({ id: 'threshold', header: 'Passing', cell: (c) => thresholdText(c.row.original) }),
    column.accessor('description', {
      header: 'Description',
      cell: (c) => <span className="clip">{c.getValue()}</span>,
    }),
  ];
  return (
    <>
      <header className="page-head">
        <div>
          <h1>Metrics</h1>
          <p className="muted">How records are scored: LLM judges, heuristics and people.</p>
        </div>
      </header>
      <section className="card">
        {metrics.isPending && <Loading what="metrics" />}
        {metrics.error && <ErrorNote error={metrics.error} what="metrics" />}
        {metrics.data && (
          <DataTable
            label="Metrics"
            data={metrics.data.list}
            columns={columns}
            rowId={(m) => m.id}
            empty="No metrics yet: create one below."
          />
        )}
      </section>
      <CreateMetric projectId={projectId} />
    </>
  );
}

function CreateMetric({ projectId }: { projectId: string }) {
  const [name, setName] = useState('');
  const [evalType, setEvalType] = useState<Metric['evalType']>('ai');
  const [outputType, setOutputType] = useState<Metric['outputType']>('boolean');
  const [guidelines, setGuidelines] = useState('');
  const [kind, setKind] = useState<(typeof HEURISTICS)[number]>('exact_match');
  const [expectedField, setExpectedField] = useState('');
  const [value, setValue] = useState('');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: () => {
      const body: CreateMetricInput = { name, evalType, outputType, guidelines: guidelines || undefined };
      if (evalType === 'heuristic') {
        body.heuristic = {
          kind,
          ...(expectedField ? { expectedField } : {}),
          ...(value
            ? { value: kind === 'regex' ? undefined : value, pattern: kind === 'regex' ? value : undefined }
            : {}),
        } as CreateMetricInput['heuristic'];
      }
      return client().metrics.create(projectId, body);
    },
    onSuccess: (metric) => {
      void queries.invalidateQueries({ queryKey: ['metrics', projectId] });
      navigate(`/projects/${projectId}/metrics/${metric.id}`);
    },
  });
  return (
    <form
      className="card form-card stack"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h2>New metric</h2>
      <div className="field">
        <label htmlFor="m-name">Name</label>
        <input id="m-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="m-eval">Kind</label>
          <select id="m-eval" value={evalType} onChange={(e) => setEvalType(e.target.value as Metric['evalType'])}>
            <option value="ai">AI judge</option>
            <option value="heuristic">Heuristic</option>
            <option value="human">Human</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="m-output">Output</label>
          <select
            id="m-output"
            value={outputType}
            onChange={(e) => setOutputType(e.target.value as Metric['outputType'])}
          >
            <option value="boolean">pass / fail</option>
            <option value="int">1–5</option>
            <option value="float">0–1</option>
          </select>
        </div>
      </div>
      {evalType === 'heuristic' ? (
        <div className="field-row">
          <div className="field">
            <label htmlFor="m-kind">Check</label>
            <select id="m-kind" value={kind} onChange={(e) => setKind(e.target.value as (typeof HEURISTICS)[number])}>
              {HEURISTICS.map((h) => (
                <option key={h} value={h}>
                  {h.replace('_', ' ')}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="m-expected">Expected field (optional)</label>
            <input
              id="m-expected"
              value={expectedField}
              onChange={(e) => setExpectedField(e.target.value)}
              placeholder="e.g. answer"
            />
          </div>
          <div className="field">
            <label htmlFor="m-value">Value or pattern (optional)</label>
            <input id="m-value" value={value} onChange={(e) => setValue(e.target.value)} />
          </div>
        </div>
      ) : (
        <div className="field">
          <label htmlFor="m-guidelines">
            {evalType === 'ai' ? 'Guidelines for the judge' : 'Guidelines for the people scoring'}
          </label>
          <textarea id="m-guidelines" rows={4} value={guidelines} onChange={(e) => setGuidelines(e.target.value)} />
        </div>
      )}
      {create.error && (
        <p className="error-note" role="alert">
          {errorText(create.error)}
        </p>
      )}
      <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>
        Create metric
      </button>
    </form>
  );
}
