import { describe, expect, it } from 'vitest';
import { NonRetryableError, TransientError } from '../../lambdas/core/errors.js';
import { createLimiter, limitedChatModel } from '../../lambdas/core/llm/limiter.js';
import { type ChatModel, httpStatusError, retryAfterMs } from '../../lambdas/core/llm/port.js';
import { retryingChatModel, withRetries } from '../../lambdas/core/llm/retry.js';

function recorder() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

/** A function that throws the given errors in turn, then resolves with 'done'. */
function failing(...errors: Error[]) {
  const attempts: number[] = [];
  const fn = async (attempt: number) => {
    attempts.push(attempt);
    const error = errors[attempts.length - 1];
    if (error) throw error;
    return 'done';
  };
  return { attempts, fn };
}

describe('withRetries', () => {
  it('returns at once when the first attempt succeeds', async () => {
    const { delays, sleep } = recorder();
    const { attempts, fn } = failing();

    expect(await withRetries(fn, { sleep })).toBe('done');
    expect(attempts).toEqual([1]);
    expect(delays).toEqual([]);
  });

  it.each([
    { random: 0, delays: [250, 500, 1000] },
    { random: 1, delays: [500, 1000, 2000] },
  ])('backs off exponentially with jitter (random $random)', async ({ random, delays: expected }) => {
    const { delays, sleep } = recorder();
    const { attempts, fn } = failing(new TransientError('a'), new TransientError('b'), new TransientError('c'));

    await withRetries(fn, { sleep, random: () => random, baseDelayMs: 500 });

    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(delays).toEqual(expected);
  });

  it('caps the backoff at maxDelayMs', async () => {
    const { delays, sleep } = recorder();
    const { fn } = failing(...Array.from({ length: 5 }, () => new TransientError('x')));

    await withRetries(fn, { sleep, attempts: 6, random: () => 1, baseDelayMs: 1000, maxDelayMs: 3000 });

    expect(delays).toEqual([1000, 2000, 3000, 3000, 3000]);
  });

  it('honours retryAfterMs, capped at maxRetryAfterMs', async () => {
    const { delays, sleep } = recorder();
    const { fn } = failing(new TransientError('slow down', 2500), new TransientError('really', 600_000));

    await withRetries(fn, { sleep, maxRetryAfterMs: 10_000 });

    expect(delays).toEqual([2500, 10_000]);
  });

  it.each([new NonRetryableError('bad request', 400), new TypeError('a bug')])(
    'rethrows %s immediately',
    async (error) => {
      const { delays, sleep } = recorder();
      const { attempts, fn } = failing(error);

      await expect(withRetries(fn, { sleep })).rejects.toBe(error);
      expect(attempts).toEqual([1]);
      expect(delays).toEqual([]);
    },
  );

  it('gives up after the last attempt with the count and the original as cause', async () => {
    const { sleep } = recorder();
    const last = new TransientError('HTTP 503', 1000);
    const { attempts, fn } = failing(new TransientError('HTTP 503'), new TransientError('HTTP 503'), last);
    const retries: number[] = [];

    const error = await withRetries(fn, { sleep, attempts: 3, onRetry: (r) => retries.push(r.attempt) }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ message: 'HTTP 503 (gave up after 3 attempts)', retryAfterMs: 1000, cause: last });
    expect(attempts).toEqual([1, 2, 3]);
    expect(retries).toEqual([1, 2]);
  });
});

describe('retry-after and status classification', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it.each<{ headers: Record<string, string>; expected: number | undefined }>([
    { headers: { 'retry-after-ms': '1500' }, expected: 1500 },
    { headers: { 'retry-after-ms': '1500', 'retry-after': '9' }, expected: 1500 },
    { headers: { 'retry-after': '3' }, expected: 3000 },
    { headers: { 'retry-after': '0.5' }, expected: 500 },
    { headers: { 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }, expected: 5000 },
    { headers: { 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }, expected: 0 },
    { headers: { 'retry-after': 'soon' }, expected: undefined },
    { headers: { 'retry-after-ms': 'x' }, expected: undefined },
    { headers: {}, expected: undefined },
  ])('reads $headers as $expected ms', ({ headers, expected }) => {
    expect(retryAfterMs(new Headers(headers), now)).toBe(expected);
  });

  it.each<{ status: number; headers: Record<string, string>; transient: boolean }>([
    { status: 408, headers: {}, transient: true },
    { status: 409, headers: {}, transient: true },
    { status: 429, headers: {}, transient: true },
    { status: 500, headers: {}, transient: true },
    { status: 503, headers: {}, transient: true },
    { status: 400, headers: {}, transient: false },
    { status: 401, headers: {}, transient: false },
    { status: 404, headers: {}, transient: false },
    { status: 422, headers: {}, transient: false },
    { status: 500, headers: { 'x-should-retry': 'false' }, transient: false },
    { status: 400, headers: { 'x-should-retry': 'true' }, transient: true },
  ])('HTTP $status with $headers is transient: $transient', ({ status, headers, transient }) => {
    const error = httpStatusError('agent', status, new Headers(headers), 'body');

    expect(error).toBeInstanceOf(transient ? TransientError : NonRetryableError);
    expect(error.message).toBe(`agent answered HTTP ${status}: body`);
  });
});

describe('createLimiter', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

  it('never runs more than the limit at once and serves callers in order', async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
        }),
      ),
    );

    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.active).toBe(0);
  });

  it('releases the slot when the task fails', async () => {
    const limiter = createLimiter(1);

    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(limiter.active).toBe(0);
  });

  it('reports active and pending work', async () => {
    const limiter = createLimiter(1);
    let release = () => {};
    const first = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const second = limiter.run(async () => {});

    await tick();

    expect([limiter.active, limiter.pending]).toEqual([1, 1]);
    release();
    await Promise.all([first, second]);
    expect([limiter.active, limiter.pending]).toEqual([0, 0]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects a limit of %s', (limit) => {
    expect(() => createLimiter(limit)).toThrow(RangeError);
  });

  it('does not hold a slot while a retrying chat model waits', async () => {
    const limiter = createLimiter(1);
    const activeWhileSleeping: number[] = [];
    let calls = 0;
    const flaky: ChatModel = {
      complete: async () => {
        calls++;
        if (calls === 1) throw new TransientError('429', 10);
        return { text: 'ok', usage: null, latencyMs: 1 };
      },
    };
    const sleep = async () => void activeWhileSleeping.push(limiter.active);
    const chat = retryingChatModel(limitedChatModel(flaky, limiter), { sleep });

    const result = await chat.complete({ model: 'm', messages: [] });

    expect(result.text).toBe('ok');
    expect(calls).toBe(2);
    expect(activeWhileSleeping).toEqual([0]);
  });
});
