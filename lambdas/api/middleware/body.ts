import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { badRequest } from '../../core/errors.js';
import { describePath, jsonTextExceedsDepth, MAX_JSON_DEPTH, pathTooDeep } from '../../core/json-depth.js';
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

/**
 * Refuses JSON nested deeper than MAX_JSON_DEPTH levels with a 400 naming the path to the first too-deep value.
 * The text is scanned (no parse, no recursion); only a body that fails is parsed, to name the path.
 */
export function checkJsonDepth(text: string) {
  if (!jsonTextExceedsDepth(text, MAX_JSON_DEPTH)) return;
  // Invalid JSON throws a SyntaxError here, which is the 400 it deserves anyway.
  const path = pathTooDeep(JSON.parse(text), MAX_JSON_DEPTH) ?? [];
  const where = describePath(path);
  throw badRequest(`the body nests deeper than ${MAX_JSON_DEPTH} levels at ${where}`, [
    { path: where, message: `nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels; send flatter JSON` },
  ]);
}

/**
 * Every JSON body, before any handler reads it. The text is read through Hono's body cache, so the route's
 * validator parses the same text without reading the request again.
 */
export const limitJsonDepth = createMiddleware(async (c, next) => {
  if (!BODILESS_METHODS.has(c.req.method) && /^application\/(.+\+)?json\b/i.test(c.req.header('content-type') ?? '')) {
    checkJsonDepth(await c.req.text());
  }
  await next();
});
