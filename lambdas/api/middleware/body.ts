import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { errorResponse } from '../errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

const BODILESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// The rest of the body is never read, so this connection cannot carry another request.
const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => tooLarge(c) });

const tooLarge = (c: Context) => {
  c.header('connection', 'close');
  return errorResponse(c, 413, 'payload_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
};

/**
 * Bodies over 1 MiB are refused with 413 before they are read whole. A body with a Content-Length is judged by
 * the header alone, as hono's bodyLimit does, but without touching `c.req.raw.body`: on Node that makes
 * @hono/node-server build a whole WHATWG Request (an AbortController, a web stream over the socket), where
 * otherwise `c.req.json()` reads the socket directly; under a burst of record POSTs that was most of each
 * request's cost. Chunked bodies, and reads, go the usual way.
 */
export const limitBody = createMiddleware(async (c, next) => {
  if (BODILESS_METHODS.has(c.req.method)) return next();
  const length = c.req.header('content-length');
  if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
    return Number.parseInt(length, 10) > MAX_BODY_BYTES ? tooLarge(c) : next();
  }
  return limit(c, next);
});

/** Write requests carrying a body must say it is JSON; anything else is a 415. */
export const requireJson = createMiddleware(async (c, next) => {
  if (['POST', 'PUT', 'PATCH'].includes(c.req.method)) {
    const type = c.req.header('content-type');
    const length = c.req.header('content-length');
    const hasBody = (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
    if (hasBody && !/^application\/(.+\+)?json\b/i.test(type ?? '')) {
      return errorResponse(c, 415, 'unsupported_media_type', 'send the body as application/json', [
        { path: 'content-type', message: `must be application/json, got ${type ?? 'nothing'}` },
      ]);
    }
  }
  await next();
});
