import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressBucket } from '../../lambdas/api/middleware/auth-throttle.js';
import { createApiKey } from '../../lambdas/core/services/api-keys.js';
import { apiClient, startTestStack } from '../support/stack.js';

/**
 * Failed authentications are throttled per client address: after 20 within a minute the address gets 429 with
 * Retry-After until the minute is over, and its guesses are not even looked up. Keys this process has seen
 * work still get through from that address (a team behind one NAT is not locked out by one broken script).
 */
let stack: Awaited<ReturnType<typeof startTestStack>>;
let now = Date.parse('2026-03-01T10:00:00Z');

beforeAll(async () => {
  // Revocation takes effect at once (no key cache), and the throttle runs on a clock the test moves.
  stack = await startTestStack({ authCacheMs: 0, authThrottle: { now: () => now } });
});
afterAll(() => stack?.stop());

/** GET /api/v2/projects over a socket bound to `localAddress`, so the server sees another client address. */
function getFrom(localAddress: string, key?: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  const url = new URL(`${stack.url}/api/v2/projects`);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { localAddress, headers: key ? { authorization: `Bearer ${key}` } : {}, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the failed-authentication throttle', () => {
  it('answers 429 with Retry-After after 20 failures from one address, while keys known to work still work', async () => {
    expect((await getFrom('127.0.0.1', stack.apiKey)).status).toBe(200);
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof getFrom>> | undefined;
    for (let i = 0; i < 30; i++) {
      last = await getFrom('127.0.0.1', `vk_guess-${i}`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(20).fill(401), ...Array(10).fill(429)]);
    expect(last!.headers['retry-after']).toBe('60');
    expect(last!.headers['x-should-retry']).toBe('true');

    // No key at all, and the OTLP endpoint (the same auth), are throttled too.
    expect((await getFrom('127.0.0.1')).status).toBe(429);
    const otlp = await fetch(`${stack.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: 'Bearer vk_guess', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(otlp.status).toBe(429);

    // The key that worked before still works; a key this process has never seen work waits for the window.
    expect((await getFrom('127.0.0.1', stack.apiKey)).status).toBe(200);
    const fresh = await createApiKey(stack.deps.apiKeys, 'org-fresh', 'fresh');
    const waiting = await getFrom('127.0.0.1', fresh.secret);
    expect(waiting.status).toBe(429);
    expect(waiting.headers['retry-after']).toBe('60');

    // Another address is not throttled by this one's failures.
    expect((await getFrom('127.0.0.2', 'vk_guess')).status).toBe(401);
    expect((await getFrom('127.0.0.2', fresh.secret)).status).toBe(200);

    // A known key is still checked: revoked, it is refused even though the address lets it through.
    const revoked = await createApiKey(stack.deps.apiKeys, 'org-revoked', 'soon revoked');
    expect((await getFrom('127.0.0.2', revoked.secret)).status).toBe(200);
    await stack.deps.apiKeys.revoke(revoked.keyId);
    expect((await getFrom('127.0.0.1', revoked.secret)).status).toBe(401);

    // 45 s later the window has 15 s left; once it has passed, the address is answered normally again.
    now += 45_000;
    expect((await getFrom('127.0.0.1', 'vk_guess')).headers['retry-after']).toBe('15');
    now += 15_000;
    expect((await getFrom('127.0.0.1', 'vk_guess')).status).toBe(401);
    expect((await apiClient(stack.url, fresh.secret).get('/projects')).status).toBe(200);
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    [undefined, 'unknown'],
  ])('counts %s in the bucket %s', (address, bucket) => {
    expect(addressBucket(address)).toBe(bucket);
  });
});
