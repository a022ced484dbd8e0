import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHttpFetch } from '../../lambdas/adapters/llm/node-http-fetch.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const routes: Record<string, Handler> = {
  '/echo': (req, body, res) => {
    res.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
    res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
  },
  '/gzip': (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(JSON.stringify({ compressed: true })));
  },
  '/empty': (_req, _body, res) => {
    res.writeHead(204);
    res.end();
  },
  '/slow': () => {}, // never answers
  '/v1/chat/completions': (_req, body, res) => {
    const { model } = JSON.parse(body) as { model: string };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'c1',
        object: 'chat.completion',
        created: 0,
        model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `hi from ${model}` } }],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      }),
    );
  },
};

let baseUrl = '';
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => routes[req.url ?? '']?.(req, Buffer.concat(chunks).toString(), res));
});

beforeAll(async () => {
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((closed) => server.close(closed));
});

describe('createNodeHttpFetch', () => {
  const fetchOverHttp = createNodeHttpFetch();

  it('sends method, headers and body, and returns status, headers and body like fetch', async () => {
    const res = await fetchOverHttp(`${baseUrl}/echo`, {
      method: 'POST',
      headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }),
      body: '{"q":1}',
    });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-multi')).toBe('a, b');
    expect(await res.json()).toEqual({ method: 'POST', body: '{"q":1}', auth: 'Bearer k' });
  });

  it('reads a body once, through text/json/bytes or its stream, and clones before that', async () => {
    const res = await fetchOverHttp(`${baseUrl}/echo`, { method: 'POST', body: 'x' });
    expect(res.bodyUsed).toBe(false);
    const copy = res.clone();
    expect(JSON.parse(await res.text())).toMatchObject({ body: 'x' });
    expect(res.bodyUsed).toBe(true);
    await expect(res.json()).rejects.toThrow(TypeError);
    expect(() => res.clone()).toThrow(TypeError);

    const streamed = await new Response(copy.body).json();
    expect(streamed).toMatchObject({ method: 'POST', body: 'x' });
    expect(copy.bodyUsed).toBe(true);
    await expect(copy.arrayBuffer()).rejects.toThrow(TypeError);
  });

  it('decodes a gzip reply and drops the encoding header', async () => {
    const res = await fetchOverHttp(`${baseUrl}/gzip`);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.json()).toEqual({ compressed: true });
  });

  it('gives a 204 a null body', async () => {
    const res = await fetchOverHttp(`${baseUrl}/empty`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });

  it('rejects with an AbortError when the signal aborts, before or during the request', async () => {
    await expect(fetchOverHttp(`${baseUrl}/slow`, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    const controller = new AbortController();
    const pending = fetchOverHttp(`${baseUrl}/slow`, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects when nothing listens', async () => {
    await expect(fetchOverHttp('http://127.0.0.1:1/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('serves the openai client: completions parse, and its timeout surfaces as a timeout error', async () => {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${baseUrl}/v1`, fetch: fetchOverHttp, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'm1',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(completion.choices[0]?.message.content).toBe('hi from m1');
    expect(completion.usage?.completion_tokens).toBe(4);

    const slow = new OpenAI({ apiKey: 'k', baseURL: `${baseUrl}/slow-`, fetch: fetchOverHttp, maxRetries: 0 });
    await expect(
      slow.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'x' }] }, { timeout: 50 }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });
});
