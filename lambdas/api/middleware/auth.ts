import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { hashApiKey } from '../../core/auth.js';
import type { ApiKey } from '../../core/ports.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { errorResponse } from '../errors.js';
import { AuthThrottle, addressBucket } from './auth-throttle.js';

/**
 * Bearer API keys. Keys are looked up by their SHA-256 hash; a verified key is cached briefly per process so a
 * hot API does not read DynamoDB on every request (revocation takes effect within `authCacheMs`). Failed
 * attempts are throttled per client address (see AuthThrottle). Build it once per app: the cache and the
 * throttle live in the middleware.
 */
export function authMiddleware(deps: ApiDeps) {
  const ttl = deps.authCacheMs ?? 30_000;
  // The lookup itself is cached, so a burst that arrives with the entry expired (300 record POSTs at once)
  // makes one read, not one each.
  const cache = new Map<string, { key: Promise<ApiKey | null>; until: number }>();
  const throttle = new AuthThrottle(deps.authThrottle);
  const addressOf = (c: Context) => {
    try {
      return addressBucket(deps.clientAddress(c));
    } catch {
      return addressBucket(undefined);
    }
  };
  const throttled = (c: Context, ms: number) => {
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    c.header('retry-after', String(seconds));
    return errorResponse(
      c,
      429,
      'too_many_failed_authentications',
      `too many failed authentications from this address; retry in ${seconds} s`,
    );
  };

  return createMiddleware<ApiEnv>(async (c, next) => {
    const address = addressOf(c);
    const blockedMs = throttle.blockedFor(address);
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      if (blockedMs !== null) return throttled(c, blockedMs);
      throttle.failed(address);
      c.header('www-authenticate', 'Bearer');
      return errorResponse(c, 401, 'unauthorized', 'send an API key as "Authorization: Bearer vk_..."');
    }
    const hash = hashApiKey(match[1]!);
    // A throttled address gets no answer about keys this process has not seen work: no lookup, no hint.
    if (blockedMs !== null && !throttle.isKnownKey(hash)) return throttled(c, blockedMs);
    let entry = cache.get(hash);
    if (!entry || entry.until < Date.now()) {
      const lookup = deps.apiKeys.findByHash(hash);
      entry = { key: lookup, until: Date.now() + ttl };
      if (ttl > 0) {
        if (cache.size > 10_000) cache.clear();
        const cached = entry;
        cache.set(hash, cached);
        // A failed lookup is not remembered.
        lookup.catch(() => cache.get(hash) === cached && cache.delete(hash));
      }
    }
    const key = await entry.key;
    if (!key || key.revoked) {
      throttle.failed(address);
      return errorResponse(c, 401, 'unauthorized', 'the API key is unknown or revoked');
    }
    throttle.authenticated(hash);
    c.set('scope', { orgId: key.orgId });
    c.set('keyId', key.keyId);
    await next();
  });
}
