import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one request should get back. `content` becomes a full chat.completion; `json` is sent verbatim. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  content?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  delayMs?: number;
}

export interface ChatCompletionBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  temperature?: number;
  max_tokens?: number;
  response_format?: { type: string };
  [key: string]: unknown;
}

export interface LoggedRequest<Body> {
  /** Position in `requests`; clearing the log (`requests.length = 0`) restarts the count. */
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Body;
}

export type FakeLLMResponder = (body: ChatCompletionBody, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeServer<Body, Responder> {
  /** Origin, e.g. http://127.0.0.1:54321; the openai client wants `${url}/v1`. */
  url: string;
  requests: LoggedRequest<Body>[];
  /** Replaces the responder for the requests that follow. */
  respond(responder: Responder): void;
  /** The most requests that were in flight (received, not yet answered) at one time. */
  readonly peakInFlight: number;
  /** Starts measuring the peak again from what is in flight now. */
  resetPeak(): void;
  close(): Promise<void>;
}
export type FakeLLM = FakeServer<ChatCompletionBody, FakeLLMResponder>;

export interface AgentReply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as text/plain, anything else as JSON. */
  body?: unknown;
  delayMs?: number;
}
export type AgentResponder = (request: LoggedRequest<string>, index: number) => AgentReply | Promise<AgentReply>;
export type FakeAgent = FakeServer<string, AgentResponder>;

type Handled = { status: number; headers: Record<string, string>; text: string; delayMs: number };
const plain = (status: number, text: string): Handled => ({ status, headers: {}, text, delayMs: 0 });

/** One 127.0.0.1 server on a free port; delayed replies are dropped cleanly when the test closes it. */
async function serve<Body, Responder>(
  parse: (raw: string) => Body,
  handle: (request: LoggedRequest<Body>, responder: Responder) => Promise<Handled>,
  initial: Responder,
): Promise<FakeServer<Body, Responder>> {
  const requests: LoggedRequest<Body>[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let responder = initial;
  let inFlight = 0;
  let peakInFlight = 0;
  const answered = new WeakSet<ServerResponse>();
  // Out of flight the moment the reply is handed over (not on 'finish', which the event loop may deliver after
  // the client already read the reply and sent its next request).
  const settle = (res: ServerResponse) => {
    if (answered.has(res)) return;
    answered.add(res);
    inFlight--;
  };
  const send = (res: ServerResponse, reply: Handled) => {
    settle(res);
    if (!res.destroyed) res.writeHead(reply.status, reply.headers).end(reply.text);
  };
  const server = createServer(async (req, res) => {
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    res.once('close', () => settle(res));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const logged = {
      index: requests.length,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: parse(Buffer.concat(chunks).toString('utf8')),
    };
    requests.push(logged);
    const reply = await handle(logged, responder).catch((error: unknown) => plain(500, `responder threw: ${error}`));
    if (reply.delayMs <= 0) return send(res, reply);
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, reply);
    }, reply.delayMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (next) => {
      responder = next;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    resetPeak: () => {
      peakInFlight = inFlight;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

function completion(body: ChatCompletionBody, index: number, reply: FakeReply): unknown {
  const content = reply.content ?? 'fake reply';
  const prompt = (body.messages ?? []).map((m) => m.content).join('\n');
  const usage = reply.usage ?? { prompt_tokens: tokens(prompt), completion_tokens: tokens(content) };
  return {
    id: `chatcmpl-fake-${index}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null },
    ],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** A body that is not JSON is logged as an empty request rather than crashing the server mid-test. */
function parseChatBody(raw: string): ChatCompletionBody {
  try {
    return JSON.parse(raw) as ChatCompletionBody;
  } catch {
    return { model: '', messages: [] };
  }
}

/** An OpenAI-compatible chat endpoint for tests; exercised through the real `openai` client over HTTP. */
export function startFakeLLM(options: { responder?: FakeLLMResponder; latencyMs?: number } = {}): Promise<FakeLLM> {
  const latencyMs = options.latencyMs ?? 0;
  return serve<ChatCompletionBody, FakeLLMResponder>(
    parseChatBody,
    async (request, responder) => {
      if (request.method !== 'POST' || !/^(\/v1)?\/chat\/completions$/.test(request.path.split('?')[0] ?? '')) {
        return plain(404, `no route ${request.method} ${request.path}`);
      }
      const reply = await responder(request.body, request.index);
      const status = reply.status ?? 200;
      const error = { error: { message: `fake error ${status}`, type: 'fake_error', code: null } };
      const json = reply.json ?? (status >= 400 ? error : completion(request.body, request.index, reply));
      const headers = { ...JSON_TYPE, ...reply.headers };
      return { status, headers, text: JSON.stringify(json), delayMs: reply.delayMs ?? latencyMs };
    },
    options.responder ?? (() => ({})),
  );
}

/** The team's own agent, for `http` systems: any method and path, programmable reply per request. */
export function startFakeAgent(options: { responder?: AgentResponder; latencyMs?: number } = {}): Promise<FakeAgent> {
  const latencyMs = options.latencyMs ?? 0;
  return serve<string, AgentResponder>(
    (raw) => raw,
    async (request, responder) => {
      const reply = await responder(request, request.index);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? { response: 'ok' });
      const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
      const headers = { 'content-type': type, ...reply.headers };
      return { status: reply.status ?? 200, headers, text, delayMs: reply.delayMs ?? latencyMs };
    },
    options.responder ?? (() => ({})),
  );
}
