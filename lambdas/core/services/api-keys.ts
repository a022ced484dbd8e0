import { generateApiKey, hashApiKey } from '../auth.js';
import type { ApiKeyRepository } from '../ports.js';

export const DEFAULT_ORG = 'default';

/** Creates a key for an organization; the secret is returned once and never stored. */
export async function createApiKey(keys: ApiKeyRepository, orgId: string, name: string, now = new Date()) {
  const { secret, keyId, hash } = generateApiKey();
  await keys.put({ keyId, orgId, name, createdAt: now.toISOString(), revoked: false }, hash);
  return { secret, keyId };
}

/** Registers a secret chosen by the operator (VERDICT_API_KEY) as an admin key, once. */
export async function ensureApiKey(keys: ApiKeyRepository, orgId: string, secret: string, name: string) {
  const hash = hashApiKey(secret);
  const existing = await keys.findByHash(hash);
  if (existing) return existing.keyId;
  const keyId = `key_env_${hash.slice(0, 12)}`;
  await keys.put({ keyId, orgId, name, createdAt: new Date().toISOString(), revoked: false }, hash);
  return keyId;
}
