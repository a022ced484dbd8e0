import type { PermitStore } from '../../core/concurrency/ports.js';
import { isConditionFailure, type Table } from './table.js';

interface Lease {
  n: number;
  until: number;
}

const TRIES = 30;
/** A pool item outlives its last lease by a day, then DynamoDB's TTL removes it. */
const POOL_TTL_S = 24 * 3600;

/**
 * One item per pool (`PERMITS#pool` / `PERMITS`) holding every live lease, written with a version check: an
 * acquisition reads the leases, grants what is free, and writes only if no one wrote in between (else it reads
 * again). Expired leases are dropped by whoever writes next. One item keeps the sum exact without transactions;
 * its write rate is bounded by the workers' syncs (a few per batch, and a renewal per lease third).
 */
export class DynamoPermitStore implements PermitStore {
  constructor(private readonly table: Table) {}

  async hold(pool: string, holder: string, want: number, limit: number, leaseMs: number, nowMs: number) {
    const key = { pk: `PERMITS#${pool}`, sk: 'PERMITS' };
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const item = await this.table.get(key.pk, key.sk);
      const version = typeof item?.version === 'number' ? item.version : 0;
      const leases: Record<string, Lease> = {};
      let others = 0;
      for (const [id, lease] of Object.entries((item?.leases ?? {}) as Record<string, Lease>)) {
        if (id === holder || lease.until <= nowMs) continue;
        leases[id] = lease;
        others += lease.n;
      }
      const granted = Math.max(0, Math.min(want, limit - others));
      if (granted > 0) leases[holder] = { n: granted, until: nowMs + leaseMs };
      try {
        await this.table.put(
          { ...key, type: 'permits', leases, version: version + 1, expiresAt: Math.floor(nowMs / 1000) + POOL_TTL_S },
          item
            ? { condition: '#version = :version', names: { '#version': 'version' }, values: { ':version': version } }
            : { condition: 'attribute_not_exists(pk)' },
        );
        return granted;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Another worker wrote first: back off a little (their syncs come in bursts) and read again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
      }
    }
    throw new Error(`the permit pool ${pool} is too contended: ${TRIES} writes lost`);
  }
}
