/** A problem with one field of a request, as the API reports it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * The `details` object of an error body. Scorecard's clients read it as an object (`{}` when there is nothing to
 * add), so the fields a request got wrong go under `issues` rather than making `details` an array.
 */
export interface ErrorDetails {
  issues?: FieldIssue[];
}

export const errorDetails = (issues: FieldIssue[]): ErrorDetails => (issues.length > 0 ? { issues } : {});

/**
 * Errors the domain raises on purpose. Each maps to one HTTP status at the edge; anything else is a 500.
 * `retryable` tells clients (and SQS) whether trying again can help.
 */
export class VerdictError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    readonly code: string,
    message: string,
    /** The fields at fault; the API reports them as `details.issues`. */
    readonly issues: FieldIssue[] = [],
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'VerdictError';
  }

  get details(): ErrorDetails {
    return errorDetails(this.issues);
  }
}

export const notFound = (what: string, id: string) => new VerdictError(404, 'not_found', `${what} ${id} was not found`);

export const badRequest = (message: string, details: FieldIssue[] = []) =>
  new VerdictError(400, 'invalid_request', message, details);

export const conflict = (message: string, retryable = false) =>
  new VerdictError(409, 'conflict', message, [], retryable);

/** A fault worth retrying: throttling, a timeout, a 5xx from something we call. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

/**
 * A worker's invocation is about to end (Lambda's remaining time fell under the margin): the records it has not
 * started are handed back to the queue, and a redelivery does them without redoing what was saved.
 */
export class OutOfTimeError extends TransientError {
  constructor(remainingMs: number) {
    super(`the worker stopped taking records with ${Math.round(remainingMs / 1000)} s left; the rest are handed back`);
    this.name = 'OutOfTimeError';
  }
}

/**
 * A fault that trying again cannot fix: a 400/401/404 from something we call, a missing key, a bad template.
 * Retry loops rethrow it at once and queue handlers should not send it round again.
 */
export class NonRetryableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NonRetryableError';
  }
}
