import { type ApiClient, type ApiResponse, waitFor } from './stack.js';

/**
 * Asks for an export (POST …/exports answers 202 with a pending export) and follows GET /exports/{id} until the
 * export worker has settled it; returns the settled export (completed with its link, or failed with the reason).
 * `accepted` is the 202 itself, for tests that check it.
 */
export async function exportAndWait(api: ApiClient, path: string, body: unknown = {}, timeoutMs = 60_000) {
  const accepted = await api.post(path, body);
  if (accepted.status !== 202) {
    throw new Error(`POST ${path} answered ${accepted.status}, not 202: ${JSON.stringify(accepted.body)}`);
  }
  const settled = await waitForExport(api, accepted.body.id, timeoutMs);
  return { accepted, settled };
}

/** Follows GET /exports/{id} until the export is completed or failed. */
export function waitForExport(api: ApiClient, exportId: string, timeoutMs = 60_000): Promise<ApiResponse> {
  return waitFor(
    async () => {
      const res = await api.get(`/exports/${exportId}`);
      return res.status !== 200 || res.body.status === 'completed' || res.body.status === 'failed' ? res : undefined;
    },
    `export ${exportId} to settle`,
    timeoutMs,
  );
}
