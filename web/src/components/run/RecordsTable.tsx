import { createColumnHelper, type VisibilityState } from '@tanstack/react-table';
import { Link } from 'react-router';
import type { RecordWithScores } from '../../../../sdk/types.js';
import { ms, preview, usd } from '../../lib/format.js';
import { type RunMetric, scoreText, scoreTone } from '../../lib/scores.js';
import { DataTable } from '../DataTable.js';

const column = createColumnHelper<RecordWithScores>();

/** A score cell coloured by pass / fail / error, with its reasoning as a tooltip. */
export function ScoreCell({ record, versionId }: { record: RecordWithScores; versionId: string }) {
  const score = record.scores.find((s) => s.metricConfigId === versionId);
  const tone = scoreTone(score);
  return (
    <span
      className={`score score-${tone}`}
      title={score?.error ?? score?.score.reasoning ?? undefined}
      data-tone={tone}
    >
      {scoreText(score)}
    </span>
  );
}

/** Columns of a records table: inputs, outputs, expected, one per metric, latency, cost, status. */
export function recordColumns(projectId: string, metrics: RunMetric[], extra: { run?: boolean } = {}) {
  return [
    column.display({
      id: 'record',
      header: 'Record',
      cell: ({ row: { original: r } }) => (
        <Link
          to={`/projects/${projectId}/records/${r.id}`}
          className="strong-link nowrap"
          aria-label={`Open record ${r.id}`}
        >
          …{r.id.slice(-6)}
        </Link>
      ),
    }),
    ...(extra.run
      ? [
          column.accessor('runId', {
            id: 'run',
            header: 'Run',
            cell: (c) => (
              <Link to={`/projects/${projectId}/runs/${c.getValue()}`} className="nowrap">
                …{c.getValue().slice(-6)}
              </Link>
            ),
          }),
        ]
      : []),
    column.accessor('inputs', { header: 'Inputs', cell: (c) => <Clip value={c.getValue()} /> }),
    column.accessor('outputs', {
      header: 'Outputs',
      cell: ({ row: { original: r } }) =>
        r.status === 'errored' ? <span className="text-bad small">{r.error}</span> : <Clip value={r.outputs} />,
    }),
    column.accessor('expected', { header: 'Expected', cell: (c) => <Clip value={c.getValue()} /> }),
    ...metrics.map((m) =>
      column.display({
        id: `metric:${m.metricId}`,
        header: m.name,
        cell: ({ row: { original: r } }) => <ScoreCell record={r} versionId={scoreVersion(r, m)} />,
      }),
    ),
    column.accessor('latencyMs', {
      header: 'Latency',
      cell: (c) => <span className="nowrap">{ms(c.getValue())}</span>,
    }),
    column.accessor('costUsd', { header: 'Cost', cell: (c) => <span className="nowrap">{usd(c.getValue())}</span> }),
    column.accessor('status', {
      header: 'Status',
      cell: (c) => <span className={`tag tag-${c.getValue()}`}>{c.getValue()}</span>,
    }),
  ];
}

/** On the project-wide page a metric's column shows whichever version scored that record. */
function scoreVersion(record: RecordWithScores, m: RunMetric): string {
  if (m.versionId) return m.versionId;
  return record.scores.find((s) => s.metricId === m.metricId)?.metricConfigId ?? '';
}

function Clip({ value }: { value: unknown }) {
  const text = preview(value, 90);
  return (
    <span
      className="clip"
      title={typeof value === 'object' ? JSON.stringify(value, null, 2).slice(0, 2000) : String(value)}
    >
      {text || <span className="muted">—</span>}
    </span>
  );
}

export function RecordsTable({
  records,
  metrics,
  projectId,
  columnVisibility,
  showRun,
}: {
  records: RecordWithScores[];
  metrics: RunMetric[];
  projectId: string;
  columnVisibility?: VisibilityState;
  showRun?: boolean;
}) {
  return (
    <DataTable
      label="Records"
      data={records}
      columns={recordColumns(projectId, metrics, { run: showRun })}
      rowId={(r) => r.id}
      columnVisibility={columnVisibility}
      empty="No records yet."
    />
  );
}
