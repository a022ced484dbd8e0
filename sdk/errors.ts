/** Every error the SDK raises on purpose extends this, so `catch (e) { if (e instanceof VerdictSdkError) … }`. */
export class VerdictSdkError extends Error {
  override name = 'VerdictSdkError';
}

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The API answered with an error status: `{code, message, details}` as the API reports it. */
export class VerdictApiError extends VerdictSdkError {
  override name = 'VerdictApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[],
    readonly request: { method: string; path: string },
    readonly headers: Headers,
  ) {
    super(`${request.method} ${request.path} → ${status} ${code}: ${message}`);
  }

  /** Builds the error from a response body, tolerating bodies that are not the API's error shape. */
  static from(status: number, text: string, request: { method: string; path: string }, headers: Headers) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (body && typeof body === 'object' && 'code' in body && 'message' in body) {
      const b = body as { code: unknown; message: unknown; details?: unknown };
      const details = Array.isArray(b.details) ? (b.details as ErrorDetail[]) : [];
      return new VerdictApiError(status, String(b.code), String(b.message), details, request, headers);
    }
    const snippet = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    return new VerdictApiError(status, 'http_error', snippet || `HTTP ${status}`, [], request, headers);
  }
}

/** The request could not reach the API (DNS, refused connection, reset) even after the retries. */
export class VerdictConnectionError extends VerdictSdkError {
  override name = 'VerdictConnectionError';
}

/** A request, or a wait for a run, took longer than its timeout. */
export class VerdictTimeoutError extends VerdictSdkError {
  override name = 'VerdictTimeoutError';
}

/** The SDK was called in a way that cannot work (missing key, both testsetId and testcases, …). */
export class VerdictUsageError extends VerdictSdkError {
  override name = 'VerdictUsageError';
}
