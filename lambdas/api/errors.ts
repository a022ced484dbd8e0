import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { errorDetails, type FieldIssue, VerdictError } from '../core/errors.js';

/**
 * Structured JSON logs (Powertools), the same shape in Lambda and locally. In Lambda the adapter adds the
 * invocation's context and API Gateway's request id to every line (lambda-adapter.ts).
 */
export const apiLogger = new Logger({ serviceName: 'verdict-api' });
const logger = apiLogger;

/** Every error the API answers: `{code, message, details}`, `details` an object (`{issues}` naming bad fields). */
export const errorBody = (code: string, message: string, issues: FieldIssue[] = []) => ({
  code,
  message,
  details: errorDetails(issues),
});

/** Retrying helps only for conflicts, throttling and server faults; say so, as Scorecard's clients read it. */
function retryHeader(status: number) {
  return status === 408 || status === 409 || status === 429 || status >= 500 ? 'true' : 'false';
}

export function errorResponse(
  c: Context,
  status: number,
  code: string,
  message: string,
  issues: FieldIssue[] = [],
  retry: boolean = retryHeader(status) === 'true',
) {
  c.header('x-should-retry', String(retry));
  return c.json(errorBody(code, message, issues), status as ContentfulStatusCode);
}

export function zodIssues(error: ZodError, prefix?: string): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

/** Zod validation failures from any route: a 400 naming each bad field and the rule it broke. */
export function validationHook(
  result: { success: true } | { success: false; error: ZodError; target?: string },
  c: Context,
) {
  if (result.success) return;
  const target = 'target' in result ? result.target : undefined;
  const prefix = target === 'query' ? 'query' : target === 'param' ? 'path' : undefined;
  const issues = zodIssues(result.error, prefix);
  return errorResponse(c, 400, 'invalid_request', `invalid ${issues.map((d) => d.path).join(', ')}`, issues);
}

export function onError(error: Error, c: Context) {
  if (error instanceof VerdictError) {
    // A conflict is worth retrying only when it is transient (a concurrent write), not when the state is final;
    // a 503 of ours is a deployment without the feature, which no retry changes.
    const own = error.status === 409 || error.status >= 500;
    const retry = own ? error.retryable : error.retryable || retryHeader(error.status) === 'true';
    return errorResponse(c, error.status, error.code, error.message, error.issues, retry);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code = status === 400 ? 'invalid_json' : status === 413 ? 'payload_too_large' : 'http_error';
    return errorResponse(
      c,
      status,
      code,
      error.message || 'bad request',
      status === 400 ? [{ path: '(body)', message: error.message }] : [],
    );
  }
  if (error instanceof SyntaxError) {
    return errorResponse(c, 400, 'invalid_json', 'the request body is not valid JSON', [
      { path: '(body)', message: error.message },
    ]);
  }
  if (isItemTooLarge(error)) {
    // Free-form documents (a Scorecard-style system config, a JSON Schema) have no size rule of their own.
    return errorResponse(
      c,
      413,
      'payload_too_large',
      'the object is larger than one stored item may be (400 KB): send smaller free-form fields',
      [{ path: '(body)', message: 'too large to store as one item' }],
    );
  }
  const transient = isTransientFault(error);
  logger.error(transient ? 'a dependency failed for now' : 'unhandled error', {
    path: c.req.path,
    error: error.stack ?? String(error),
  });
  // Only a dependency's passing fault (throttling, its own 5xx, a timeout) is worth trying again; anything
  // else is our bug and would fail the same way on every retry.
  if (transient) return errorResponse(c, 503, 'unavailable', 'a service we depend on failed; retry shortly', [], true);
  return errorResponse(c, 500, 'internal', 'internal error', [], false);
}

/** DynamoDB's refusal of an item past 400 KB (PutItem and UpdateItem word it slightly differently). */
function isItemTooLarge(error: Error) {
  return error.name === 'ValidationException' && /Item size .*exceeded the maximum allowed size/.test(error.message);
}

/** Names the AWS SDK (and Node) give faults that pass: throttling, a dependency's 5xx, timeouts. */
const TRANSIENT_NAMES = new Set([
  'TransientError',
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  'SlowDown',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

/**
 * A fault another attempt can get past: the AWS SDK marks such errors `$retryable` (throttling among them) or
 * `$fault: "server"` (the service's own 5xx); others are known by name or Node error code.
 */
export function isTransientFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { $retryable?: unknown; $fault?: unknown; code?: unknown };
  if (e.$retryable || e.$fault === 'server') return true;
  return TRANSIENT_NAMES.has(e.name) || (typeof e.code === 'string' && TRANSIENT_NAMES.has(e.code));
}
