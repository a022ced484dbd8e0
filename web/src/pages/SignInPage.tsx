import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { createClient, errorText, isUnauthorized } from '../api/client.js';
import { storeApiKey } from '../api/session.js';
import { Brand } from '../components/Layout.js';
import { usePageTitle } from '../lib/title.js';

/** Paste an API key; it is checked against the API before it is kept (in this tab's sessionStorage only). */
export function SignInPage() {
  usePageTitle('Sign in');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params] = useSearchParams();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(
    params.get('expired') ? 'Your API key is no longer accepted. Sign in again.' : null,
  );
  const [busy, setBusy] = useState(false);

  async function signIn(event: React.FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return setError('Paste an API key first.');
    setBusy(true);
    setError(null);
    try {
      await createClient(trimmed).projects.list({ limit: 1 }).page();
      storeApiKey(trimmed);
      queries.clear();
      const next = params.get('next');
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/projects', { replace: true });
    } catch (e) {
      setError(
        isUnauthorized(e)
          ? 'That API key was not accepted. Check that you copied all of it, or create a new one with `npm run keys -- create`.'
          : `Could not reach the API: ${errorText(e)}`,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={signIn} noValidate>
        <Brand />
        <h1>Sign in</h1>
        <p className="muted">
          Paste an API key. It stays in this browser tab only and is forgotten when you close it. A local `npm start`
          keeps its admin key in <code>.verdict/admin-api-key</code>.
        </p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={!!error}
          aria-describedby={error ? 'signin-error' : undefined}
          // biome-ignore lint/a11y/noAutofocus: the one field of the page
          autoFocus
        />
        {error && (
          <p id="signin-error" className="error-note" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
