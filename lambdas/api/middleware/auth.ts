import { createMiddleware } from 'hono/factory';
import { hashApiKey } from '../../core/auth.js';
import type { ApiKey } from '../../core/ports.js';
import type { ApiDeps, ApiEnv } from '../context.js';
import { errorResponse } from '../errors.js';

/**
 * Bearer API keys. Keys are looked up by their SHA-256 hash; a verified key is cached briefly per process so a
 * hot API does not read DynamoDB on every request (revocation takes effect within `authCacheMs`).
 */
export function authMiddleware(deps: ApiDeps) {
  const ttl = deps.authCacheMs ?? 30_000;
  // The lookup itself is cached, so a burst that arrives with the entry expired (300 record POSTs at once)
  // makes one read, not one each.
  const cache = new Map<string, { key: Promise<ApiKey | null>; until: number }>();
  return createMiddleware<ApiEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      c.header('www-authenticate', 'Bearer');
      return errorResponse(c, 401, 'unauthorized', 'send an API key as "Authorization: Bearer vk_..."');
    }
    const hash = hashApiKey(match[1]!);
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
    if (!key || key.revoked) return errorResponse(c, 401, 'unauthorized', 'the API key is unknown or revoked');
    c.set('scope', { orgId: key.orgId });
    c.set('keyId', key.keyId);
    await next();
  });
}
