import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNodeHttpFetch, type FetchGuard } from '../../lambdas/adapters/llm/node-http-fetch.js';
import { OpenAIChatModel } from '../../lambdas/adapters/llm/openai-chat-model.js';
import { createGuardedFetch, guardedLookup } from '../../lambdas/adapters/net/guarded-fetch.js';
import { NonRetryableError } from '../../lambdas/core/errors.js';
import { OutboundRefusedError, UrlPolicy } from '../../lambdas/core/net/url-policy.js';
import { type FakeAgent, type FakeLLM, startFakeAgent, startFakeLLM } from '../support/fake-llm.js';

let agent: FakeAgent;
let internal: FakeAgent;
let serverLlm: FakeLLM;
let tenantLlm: FakeLLM;

beforeAll(async () => {
  [agent, internal, serverLlm, tenantLlm] = await Promise.all([
    startFakeAgent(),
    startFakeAgent(),
    startFakeLLM(),
    startFakeLLM(),
  ]);
});
afterAll(() => Promise.all([agent, internal, serverLlm, tenantLlm].map((s) => s?.close())));
beforeEach(() => {
  for (const server of [agent, internal, serverLlm, tenantLlm]) server.requests.length = 0;
  agent.respond(() => ({ body: { response: 'ok' } }));
  internal.respond(() => ({ body: { secret: 'internal data' } }));
});

const portOf = (url: string) => Number(new URL(url).port);
/** As a local stack with VERDICT_ALLOW_PRIVATE_URLS=1: 127.0.0.1 allowed, the "internal" server's port denied. */
const privateAllowed = () => new UrlPolicy({ allowPrivate: true, deniedPorts: [portOf(internal.url)] });

describe('the guarded fetch', () => {
  it('refuses a name that resolves to a refused address, before sending anything', async () => {
    const guarded = createGuardedFetch(new UrlPolicy());
    const localhost = agent.url.replace('127.0.0.1', 'localhost');

    const error = await guarded(`${localhost}/agent`, { method: 'POST', body: '{}' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect(String(error)).toMatch(
      /refused by the outbound URL policy: localhost resolves to (127\.0\.0\.1|::1) \(loopback\).*VERDICT_ALLOW_PRIVATE_URLS=1/,
    );
    expect(agent.requests).toHaveLength(0);
  });

  it('refuses the stack’s own ports on loopback even when private URLs are allowed, by literal and by name', async () => {
    const guarded = createGuardedFetch(privateAllowed());

    for (const url of [internal.url, internal.url.replace('127.0.0.1', 'localhost')]) {
      await expect(guarded(`${url}/`, { method: 'GET' }), url).rejects.toThrow(/belongs to the stack itself/);
    }
    expect(internal.requests).toHaveLength(0);
    expect((await guarded(`${agent.url}/agent`, { method: 'GET' })).status).toBe(200);
  });

  it.each([301, 302, 303, 307, 308])(
    'does not follow a %i redirect, to a refused address or any other',
    async (status) => {
      const guarded = createGuardedFetch(privateAllowed());
      for (const target of [`${internal.url}/steal?token=t`, `${agent.url}/elsewhere`]) {
        agent.respond((request) => (request.path === '/start' ? { status, headers: { location: target } } : {}));

        const error = await guarded(`${agent.url}/start`, { method: 'POST', body: '{"q":1}' }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(NonRetryableError);
        expect(String(error)).toContain(`answered HTTP ${status}, a redirect to ${target.split('?')[0]}`);
        expect(String(error)).toContain('redirects are not followed');
        expect(String(error)).not.toContain('token=t');
      }
      expect(internal.requests).toHaveLength(0);
      expect(agent.requests.map((r) => r.path)).toEqual(['/start', '/start']);
    },
  );

  it('checks addresses once per connection: kept-alive requests reuse the checked socket', async () => {
    const policy = new UrlPolicy({ allowPrivate: true });
    let lookups = 0;
    const guard: FetchGuard = {
      check: (url) => policy.assertUrl(url),
      lookup: (url) => {
        const lookup = guardedLookup(policy, url.hostname, Number(url.port));
        return (...args) => {
          lookups++;
          return lookup(...args);
        };
      },
      redirect: () => new Error('redirect'),
    };
    const guarded = createNodeHttpFetch({ guard });
    const localhost = agent.url.replace('127.0.0.1', 'localhost');

    for (let i = 0; i < 5; i++) {
      const response = await guarded(`${localhost}/agent`, { method: 'POST', body: `{"i":${i}}` });
      expect(await response.json()).toEqual({ response: 'ok' });
    }

    expect(agent.requests).toHaveLength(5);
    expect(lookups).toBe(1);
  });

  it('refuses a name if any of its addresses is refused (a rebinding setup), and connects only to checked ones', async () => {
    const answer: LookupAddress[] = [
      { address: '93.184.215.14', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    const lookup = guardedLookup(new UrlPolicy(), 'rebind.test', 80, (_host, _options, callback) =>
      callback(null, answer),
    );

    const outcome = await new Promise<unknown>((resolve) =>
      lookup('rebind.test', { all: true }, (error, addresses) => resolve(error ?? addresses)),
    );

    expect(outcome).toBeInstanceOf(OutboundRefusedError);
    expect(String(outcome)).toMatch(/rebind\.test resolves to 127\.0\.0\.1 \(loopback\)/);
  });

  it('refuses bodies it cannot send itself instead of handing them to the global fetch', async () => {
    const guarded = createGuardedFetch(privateAllowed());
    const stream = new ReadableStream({ start: (c) => c.close() });

    await expect(
      guarded(`${agent.url}/agent`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
    ).rejects.toThrow(/only string or byte bodies/);
    await expect(guarded(new Request(`${agent.url}/agent`))).rejects.toThrow(/only string or byte bodies/);
    expect(agent.requests).toHaveLength(0);
  });
});

describe('the openai chat model and a system’s own baseURL', () => {
  const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

  it('never sends the server’s key to a request’s own baseURL', async () => {
    const chat = new OpenAIChatModel({ apiKey: 'sk-server', baseURL: `${serverLlm.url}/v1`, policy: privateAllowed() });

    const leak = chat.complete({ ...ask, baseURL: `${tenantLlm.url}/v1` });

    await expect(leak).rejects.toBeInstanceOf(NonRetryableError);
    await expect(leak).rejects.toThrow(/must name its own key with apiKeySecret/);
    expect(tenantLlm.requests).toHaveLength(0);
  });

  it('sends a request’s own key to its own baseURL, and the server’s key only to the server’s endpoint', async () => {
    const chat = new OpenAIChatModel({ apiKey: 'sk-server', baseURL: `${serverLlm.url}/v1`, policy: privateAllowed() });

    await chat.complete({ ...ask, baseURL: `${tenantLlm.url}/v1`, apiKey: 'sk-tenant' });
    await chat.complete(ask);

    expect(tenantLlm.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-tenant']);
    expect(serverLlm.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-server']);
  });

  it('applies the outbound URL policy to a request’s own baseURL, not to the server’s', async () => {
    const chat = new OpenAIChatModel({ apiKey: 'sk-server', baseURL: `${serverLlm.url}/v1`, policy: new UrlPolicy() });

    for (const baseURL of [`${tenantLlm.url}/v1`, `${tenantLlm.url.replace('127.0.0.1', 'localhost')}/v1`]) {
      const refused = chat.complete({ ...ask, baseURL, apiKey: 'sk-tenant' });
      await expect(refused, baseURL).rejects.toBeInstanceOf(OutboundRefusedError);
      await expect(refused).rejects.toThrow(/refused by the outbound URL policy/);
    }
    // The operator's own OPENAI_BASE_URL on 127.0.0.1 is trusted.
    expect((await chat.complete(ask)).text).toBe('fake reply');
    expect(tenantLlm.requests).toHaveLength(0);
  });
});
