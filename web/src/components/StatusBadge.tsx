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

/** The run's status; `reason` (the API's statusReason) is shown on hover where there is no room to say it. */
export function StatusBadge({ status, reason }: { status: Run['status']; reason?: string }) {
  const title = reason && reason !== status ? reason.replace(/^[a-z_]+: /, '') : undefined;
  return (
    <span className={`badge badge-${statusTone(status)}`} data-status={status} title={title}>
      {statusLabel(status)}
    </span>
  );
}
