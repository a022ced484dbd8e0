import type { Context } from 'hono';

export interface AuthThrottleOptions {
  /** Failed authentications an address may have in one window before it is answered 429 (default 20). */
  maxFailures?: number;
  /** The window, from an address's first failure (default 60 s). */
  windowMs?: number;
  /** How long a key that authenticated stays known to this process (default 24 h). */
  knownKeyMs?: number;
  /** Addresses and keys remembered at most (default 10,000 each). */
  maxEntries?: number;
  now?: () => number;
}

/** Where a request came from: the socket locally, API Gateway's sourceIp in AWS; undefined when unknown. */
export type ClientAddress = (c: Context) => string | undefined;

/**
 * Slows down key guessing, per client address and per process. After `maxFailures` failed authentications
 * (no key, or an unknown or revoked one) within a window, the address gets 429 with Retry-After until the
 * window ends, without the key being looked up, so a guesser learns nothing more. A key this process has
 * seen authenticate recently still goes through the normal check from a throttled address, so one broken
 * script cannot lock out a team behind the same NAT; a key the process has not seen waits like any other.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();
  private readonly knownKeys = new Map<string, number>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly knownKeyMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: AuthThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
    this.knownKeyMs = options.knownKeyMs ?? 24 * 3_600_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until the address may try again, or null when it is not throttled. */
  blockedFor(address: string): number | null {
    const entry = this.failures.get(address);
    if (!entry) return null;
    const left = entry.until - this.now();
    if (left <= 0) {
      this.failures.delete(address);
      return null;
    }
    return entry.count >= this.maxFailures ? left : null;
  }

  failed(address: string) {
    const entry = this.failures.get(address);
    if (entry && entry.until > this.now()) {
      entry.count++;
      return;
    }
    this.failures.delete(address);
    bounded(this.failures, this.maxEntries, (e) => e.until <= this.now());
    this.failures.set(address, { count: 1, until: this.now() + this.windowMs });
  }

  isKnownKey(keyHash: string): boolean {
    const until = this.knownKeys.get(keyHash);
    return until !== undefined && until > this.now();
  }

  authenticated(keyHash: string) {
    this.knownKeys.delete(keyHash);
    bounded(this.knownKeys, this.maxEntries, (until) => until <= this.now());
    this.knownKeys.set(keyHash, this.now() + this.knownKeyMs);
  }
}

/** Makes room for one more entry: expired ones go first, then the oldest. */
function bounded<V>(map: Map<string, V>, max: number, expired: (value: V) => boolean) {
  if (map.size < max) return;
  for (const [key, value] of map) if (expired(value)) map.delete(key);
  for (const key of map.keys()) {
    if (map.size < max) return;
    map.delete(key);
  }
}

/**
 * The bucket an address counts in: IPv4 as is (also when written IPv4-mapped, `::ffff:1.2.3.4`), IPv6 by its
 * /64, which is what one client usually holds.
 */
export function addressBucket(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
