import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Run } from '../../../../sdk/types.js';
import { client, errorText } from '../../api/client.js';
import { useSystemVersion } from '../../api/queries.js';
import { ErrorNote } from '../Feedback.js';
import { JsonViewer } from '../JsonViewer.js';

/** "Show details": the run's notes (editable, saved with PATCH /runs/{id}) and its system version's config. */
export function RunDetailsPanel({ run }: { run: Run }) {
  const queries = useQueryClient();
  const [notes, setNotes] = useState(run.notes);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  useEffect(() => setNotes(run.notes), [run.notes]);
  const save = useMutation({
    mutationFn: () => client().runs.update(run.id, { notes }),
    onSuccess: (updated) => {
      queries.setQueryData(['run', run.id], updated);
      setSavedAt(Date.now());
    },
  });
  const version = useSystemVersion(run.systemVersionId);

  return (
    <section className="card details-panel" id="run-details" aria-label="Run details">
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <label htmlFor="run-notes">Notes</label>
        <textarea
          id="run-notes"
          rows={4}
          value={notes}
          placeholder="What changed in this run, what to look at…"
          onChange={(e) => {
            setNotes(e.target.value);
            setSavedAt(null);
          }}
        />
        <div className="row">
          <button type="submit" className="primary" disabled={save.isPending || notes === run.notes}>
            {save.isPending ? 'Saving…' : 'Save notes'}
          </button>
          {savedAt && notes === run.notes && (
            <span className="text-good small" role="status">
              Notes saved
            </span>
          )}
          {/* The button is greyed out while nothing changed: say why, so it does not read as broken. */}
          {!savedAt && !save.isPending && notes === run.notes && run.notes && (
            <span className="muted small">Saved · edit to change</span>
          )}
          {save.error && (
            <span className="error-note" role="alert">
              {errorText(save.error)}
            </span>
          )}
        </div>
      </form>
      <div className="stack">
        <h3>System version</h3>
        {!run.systemVersionId && <p className="muted">This run has no system version (its records were posted).</p>}
        {version.error && <ErrorNote error={version.error} what="the system version" />}
        {version.data && (
          <>
            <p>
              <strong>{version.data.name}</strong> <span className="muted small">{version.data.id}</span>
            </p>
            <JsonViewer label="System version config" value={version.data.config} openDepth={3} />
          </>
        )}
      </div>
    </section>
  );
}
