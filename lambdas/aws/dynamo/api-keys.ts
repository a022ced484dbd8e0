import type { ApiKey, ApiKeyRepository, IdempotencyStore, StoredResponse } from '../../core/ports.js';
import { keys } from './keys.js';
import { entityOf, isConditionFailure, type Table } from './table.js';

export class DynamoApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly table: Table) {}

  async put(key: ApiKey, secretHash: string) {
    await this.table.put({
      ...keys.apiKey(secretHash),
      gsi1pk: `ORG#${key.orgId}#APIKEYS`,
      gsi1sk: key.keyId,
      gsi2pk: `APIKEYID#${key.keyId}`,
      gsi2sk: '#',
      type: 'apiKey',
      ...key,
      orgId: key.orgId,
    });
  }

  async findByHash(secretHash: string) {
    const item = await this.table.get(keys.apiKey(secretHash).pk, '#');
    return item ? { ...entityOf<ApiKey>(item), orgId: String(item.orgId) } : null;
  }

  async revoke(keyId: string) {
    const { items } = await this.table.query({ index: 'gsi2', partition: `APIKEYID#${keyId}`, limit: 1 });
    const item = items[0];
    if (!item) return false;
    await this.table.update({ pk: String(item.pk), sk: '#', expression: 'SET revoked = :t', values: { ':t': true } });
    return true;
  }

  async list(orgId: string) {
    const { items } = await this.table.query({ index: 'gsi1', partition: `ORG#${orgId}#APIKEYS`, limit: 1000 });
    return items.map((i) => ({ ...entityOf<ApiKey>(i), orgId }));
  }
}

/** Idempotency records expire after a day (TTL), which is longer than any client's retry window. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(private readonly table: Table) {
    // The first response is replayed as it was, whatever numbers its body held.
    table.storeAsJson('idempotency', ['response']);
  }

  async claim(
    orgId: string,
    key: string,
    fingerprint: string,
  ): Promise<StoredResponse | 'claimed' | 'in_progress' | 'mismatch'> {
    const item = {
      ...keys.idempotency(orgId, key),
      type: 'idempotency',
      state: 'in_progress',
      fingerprint,
      expiresAt: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_SECONDS,
    };
    if (await this.table.putIfAbsent(item)) return 'claimed' as const;
    const existing = await this.table.get(item.pk, item.sk);
    if (!existing) return this.claim(orgId, key, fingerprint);
    if (existing.fingerprint !== fingerprint) return 'mismatch' as const;
    if (existing.state !== 'done') return 'in_progress' as const;
    return existing.response as StoredResponse;
  }

  async complete(orgId: string, key: string, response: StoredResponse) {
    await this.table.update({
      ...keys.idempotency(orgId, key),
      expression: 'SET #s = :done, #r = :r',
      names: { '#s': 'state', '#r': 'response' },
      values: { ':done': 'done', ':r': this.table.encodePatch('idempotency', { response }).response },
    });
  }

  async release(orgId: string, key: string) {
    try {
      await this.table.delete(keys.idempotency(orgId, key).pk, '#', {
        expression: 'attribute_exists(pk)',
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
