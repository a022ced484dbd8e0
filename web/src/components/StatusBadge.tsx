import type { Run } from '../../../sdk/types.js';

const LABELS: Record<Run['status'], string> = {
  pending: 'Pending',
  awaiting_execution: 'Queued',
  running_execution: 'Running system',
  awaiting_scoring: 'Awaiting scoring',
  running_scoring: 'Scoring',
  awaiting_human_scoring: 'Awaiting human scores',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const statusLabel = (status: Run['status']) => LABELS[status] ?? status;

export function statusTone(status: Run['status']) {
  if (status === 'completed') return 'good';
  if (status === 'failed') return 'bad';
  if (status === 'cancelled') return 'neutral';
  if (status === 'awaiting_human_scoring') return 'warn';
  return 'busy';
}

export function StatusBadge({ status }: { status: Run['status'] }) {
  return (
    <span className={`badge badge-${statusTone(status)}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
