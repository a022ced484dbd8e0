import { VerdictClient } from '../../../sdk/client.js';
import { VerdictApiError } from '../../../sdk/errors.js';
import { storedApiKey } from './session.js';

/** The SDK's typed client against this origin (locally the same server; in AWS CloudFront routes /api/*). */
export function createClient(apiKey: string): VerdictClient {
  return new VerdictClient({ baseURL: window.location.origin, apiKey, maxRetries: 1, timeoutMs: 30_000 });
}

let cached: { key: string; client: VerdictClient } | null = null;

/** The client for the signed-in key; pages only render once signed in, so a missing key is a bug. */
export function client(): VerdictClient {
  const key = storedApiKey();
  if (!key) throw new Error('not signed in');
  if (cached?.key !== key) cached = { key, client: createClient(key) };
  return cached.client;
}

export const isUnauthorized = (error: unknown) => error instanceof VerdictApiError && error.status === 401;
export const isNotFound = (error: unknown) => error instanceof VerdictApiError && error.status === 404;

/** What to tell a person about a failed call: the API's own message, with the fields it names. */
export function errorText(error: unknown): string {
  if (error instanceof VerdictApiError) {
    const details = error.details as unknown;
    const issues = Array.isArray(details)
      ? details
      : ((details as { issues?: Array<{ path: string; message: string }> } | undefined)?.issues ?? []);
    const named = issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`).join('; ');
    const message = error.message.replace(/^.*?→ \d+ [\w_]+: /, '');
    return named ? `${message} (${named})` : message;
  }
  return error instanceof Error ? error.message : String(error);
}
