import { createHash, randomBytes } from 'node:crypto';
import { newId } from './ids.js';

export const API_KEY_PREFIX = 'vk_';

/** Only this hash is ever stored; the secret is shown once, when the key is created. */
export const hashApiKey = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function generateApiKey() {
  const secret = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { secret, keyId: `key_${newId()}`, hash: hashApiKey(secret) };
}
