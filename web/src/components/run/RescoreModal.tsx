import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Metric, Run } from '../../../../sdk/types.js';
import { client } from '../../api/client.js';
import { LaunchFooter } from '../LaunchFooter.js';
import { MetricPicker } from '../MetricPicker.js';
import { Modal } from '../Modal.js';

/**
 * Re-run scoring without re-executing the system: pick the metrics (any of the project's, not only the run's);
 * each is scored with its latest version.
 */
export function RescoreModal({ run, metrics, onClose }: { run: Run; metrics: Metric[]; onClose: () => void }) {
  const [chosen, setChosen] = useState<string[]>(run.metricIds);
  const queries = useQueryClient();
  const rescore = useMutation({
    mutationFn: () => client().runs.rescore(run.id, { metricIds: chosen }),
    onSuccess: (updated) => {
      queries.setQueryData(['run', run.id], updated);
      void queries.invalidateQueries({ queryKey: ['run-records', run.id] });
      onClose();
    },
  });
  const dropped = run.metricIds.filter((id) => !chosen.includes(id)).length;
  return (
    <Modal title="Re-run scoring" onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          rescore.mutate();
        }}
      >
        <p className="muted">
          Scores the run's existing outputs again with the latest version of each metric; the system is not run again.
          Metrics that are not in the run yet are added to it.
        </p>
        <MetricPicker legend="Metrics to score" metrics={metrics} chosen={chosen} onChange={setChosen} />
        {dropped > 0 && (
          <p className="warn-note small">
            {dropped} metric{dropped > 1 ? 's' : ''} of this run {dropped > 1 ? 'are' : 'is'} unchecked and will leave
            the run (human scores stay).
          </p>
        )}
        <LaunchFooter
          label="Re-run scoring"
          ready={chosen.length > 0}
          pending={rescore.isPending}
          error={rescore.error}
          onClose={onClose}
        />
      </form>
    </Modal>
  );
}
