import { errorText } from '../api/client.js';

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  return (
    <p className="error-note" role="alert">
      {what ? `Could not load ${what}: ` : ''}
      {errorText(error)}
    </p>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <div className="empty">{children}</div>;
}
