import { errorText } from '../api/client.js';

/**
 * The end of a form that starts something (a run, a rescore): the attempt's error if it failed, Cancel, and the
 * submit button, which says it is starting while the request is out.
 */
export function LaunchFooter({
  label,
  ready,
  pending,
  error,
  onClose,
}: {
  label: string;
  ready: boolean;
  pending: boolean;
  error: unknown;
  onClose: () => void;
}) {
  return (
    <>
      {error ? (
        <p className="error-note" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      <footer className="modal-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={!ready || pending}>
          {pending ? 'Starting…' : label}
        </button>
      </footer>
    </>
  );
}
