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

/**
 * What the run's statusReason says beyond its status ("failed: GitHub did not start…" → "GitHub did not start…"),
 * or undefined when it says nothing more.
 */
export function reasonBeyondStatus(run: Pick<Run, 'status' | 'statusReason'>): string | undefined {
  const reason = run.statusReason;
  if (!reason || reason === run.status) return undefined;
  return reason.startsWith(`${run.status}: `) ? reason.slice(run.status.length + 2) : reason;
}

/** The run's status; `reason` (see reasonBeyondStatus) is shown on hover where there is no room to say it. */
export function StatusBadge({ status, reason }: { status: Run['status']; reason?: string }) {
  return (
    <span className={`badge badge-${statusTone(status)}`} data-status={status} title={reason}>
      {statusLabel(status)}
    </span>
  );
}
