/** Every error the SDK raises on purpose extends this, so `catch (e) { if (e instanceof VerdictSdkError) … }`. */
export class VerdictSdkError extends Error {
  override name = 'VerdictSdkError';
}

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error body's `details` object; the fields a request got wrong are its `issues`. */
export interface ErrorDetails {
  issues?: ErrorDetail[];
  [key: string]: unknown;
}

/** The fields at fault in a `details` object (or in the array older servers sent). */
function issuesOf(details: unknown): ErrorDetail[] {
  if (Array.isArray(details)) return details as ErrorDetail[];
  const issues = details && typeof details === 'object' ? (details as ErrorDetails).issues : undefined;
  return Array.isArray(issues) ? issues : [];
}

/**
 * The API answered with an error status: `{code, message, details}` as the API reports it, with the fields it
 * names as `issues` (`details.issues`).
 */
export class VerdictApiError extends VerdictSdkError {
  override name = 'VerdictApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails,
    readonly request: { method: string; path: string },
    readonly headers: Headers,
  ) {
    super(`${request.method} ${request.path} → ${status} ${code}: ${message}`);
    this.issues = issuesOf(details);
  }

  readonly issues: ErrorDetail[];

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
      const details =
        b.details && typeof b.details === 'object' && !Array.isArray(b.details)
          ? (b.details as ErrorDetails)
          : { issues: issuesOf(b.details) };
      return new VerdictApiError(status, String(b.code), String(b.message), details, request, headers);
    }
    const snippet = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    return new VerdictApiError(status, 'http_error', snippet || `HTTP ${status}`, {}, request, headers);
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
