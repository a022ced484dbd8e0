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
  const cache = new Map<string, { key: ApiKey | null; until: number }>();
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
      entry = { key: await deps.apiKeys.findByHash(hash), until: Date.now() + ttl };
      if (ttl > 0) {
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, entry);
      }
    }
    if (!entry.key || entry.key.revoked)
      return errorResponse(c, 401, 'unauthorized', 'the API key is unknown or revoked');
    c.set('scope', { orgId: entry.key.orgId });
    c.set('keyId', entry.key.keyId);
    await next();
  });
}
