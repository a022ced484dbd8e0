/**
 * Verdict's TypeScript SDK: a typed client for /api/v2, `runAndEvaluate` to evaluate your own system from
 * code, and `waitForRun` for the results. Types are inferred from the API's own zod schemas.
 */
export { type CallOptions, VerdictClient, type VerdictClientOptions } from './client.js';
export {
  type ErrorDetail,
  type ErrorDetails,
  VerdictApiError,
  VerdictConnectionError,
  VerdictSdkError,
  VerdictTimeoutError,
  VerdictUsageError,
} from './errors.js';
export { apiBase, retryAfterMs, shouldRetry } from './http.js';
export type { InlineTestcase } from './inline-testset.js';
export { PageIterator } from './paging.js';
export {
  type FillRunOptions,
  fillRun,
  type RunAndEvaluateOptions,
  type RunAndEvaluateResult,
  type RunProgress,
  runAndEvaluate,
  type SystemContext,
  type SystemFunction,
} from './run-and-evaluate.js';
export type * from './types.js';
export { VerdictExportFailedError, type WaitForExportOptions, waitForExport } from './wait-for-export.js';
export { SETTLED_RUN_STATUSES, type WaitForRunOptions, waitForRun } from './wait-for-run.js';
