import { createHash } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiDeps, ApiEnv } from '../context.js';
import { errorResponse } from '../errors.js';

/**
 * `Idempotency-Key` on POSTs: the first response is stored and replayed for retries with the same key and body;
 * a retry that arrives while the first is still running gets a retryable 409.
 */
export function idempotencyMiddleware(deps: ApiDeps) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || !key) return next();
    if (key.length > 255) {
      return errorResponse(c, 400, 'invalid_request', 'Idempotency-Key is too long', [
        { path: 'idempotency-key', message: 'must be at most 255 characters' },
      ]);
    }
    const { orgId } = c.get('scope');
    // Through Hono's body cache: the depth check has read the body already, and the route will parse it.
    const body = await c.req.text();
    const fingerprint = createHash('sha256')
      .update(c.req.method)
      .update(c.req.path)
      .update('\n')
      .update(body)
      .digest('hex');
    const claim = await deps.idempotency.claim(orgId, key, fingerprint);
    if (claim === 'mismatch') {
      return errorResponse(c, 422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
    }
    if (claim === 'in_progress') {
      return errorResponse(
        c,
        409,
        'request_in_progress',
        'a request with this Idempotency-Key is still being processed',
      );
    }
    if (claim !== 'claimed') {
      c.header('idempotent-replayed', 'true');
      return c.json(claim.body as object, claim.status as ContentfulStatusCode);
    }
    try {
      await next();
    } catch (error) {
      await deps.idempotency.release(orgId, key);
      throw error;
    }
    // Server faults are not remembered, so the retry gets a real second attempt.
    if (c.res.status >= 500 || c.res.status === 409 || c.res.status === 429) {
      await deps.idempotency.release(orgId, key);
    } else {
      await deps.idempotency.complete(orgId, key, { status: c.res.status, body: await c.res.clone().json() });
    }
  });
}
