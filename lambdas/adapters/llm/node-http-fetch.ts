import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

const DECOMPRESSORS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

// Statuses whose Response must not have a body (the constructor throws otherwise).
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * What makes the fetch safe for requests on a tenant's behalf (lambdas/adapters/net/guarded-fetch.ts). Without
 * a guard the fetch trusts its URLs (the operator's own LLM endpoint).
 */
export interface FetchGuard {
  /** Throws to refuse a URL before anything is sent (scheme, IP literals: Node connects to those unresolved). */
  check(url: URL): void;
  /** Node's `lookup` for new connections to `url`: resolves the name and checks every address, or fails. */
  lookup(url: URL): LookupFunction;
  /** The rejection for a redirect: Node never follows one, and a guarded fetch does not hand it back either. */
  redirect(url: URL, status: number, location: string): Error;
}

export interface NodeHttpFetchOptions {
  guard?: FetchGuard;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

function requestBody(body: RequestInit['body']): string | Uint8Array | undefined | null {
  if (body === undefined || body === null) return body;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return null;
}

/**
 * A Response whose body is already in memory. Undici's Response wraps every body in a WHATWG stream at
 * construction and reads it back through that stream; for a buffered JSON reply that is pure overhead, so the
 * stream is made only if someone asks for `body`. Everything else behaves as Response does (a body reads once).
 */
class BufferedResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  #bytes: Buffer | null;
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;

  constructor(
    bytes: Buffer | null,
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    readonly url: string,
  ) {
    this.#bytes = bytes;
    this.ok = status >= 200 && status < 300;
  }

  get body(): ReadableStream<Uint8Array> | null {
    const bytes = this.#bytes;
    if (bytes === null) return null;
    // Reading from the stream (not asking for it) is what uses the body up.
    this.#stream ??= new ReadableStream({
      pull: (controller) => {
        this.#used = true;
        controller.enqueue(new Uint8Array(bytes));
        controller.close();
      },
    });
    return this.#stream;
  }

  get bodyUsed() {
    return this.#used;
  }

  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes ?? Buffer.alloc(0);
  }

  async text() {
    return this.#take().toString('utf8');
  }

  async json() {
    return JSON.parse(this.#take().toString('utf8'));
  }

  async bytes() {
    return new Uint8Array(this.#take());
  }

  async arrayBuffer() {
    const bytes = this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }

  async blob() {
    return new Blob([this.#take()], { type: this.headers.get('content-type') ?? '' });
  }

  clone() {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, this.status, this.statusText, new Headers(this.headers), this.url);
  }
}

/** The SDK hands over a Headers it already validated: read it as is rather than copying it into another. */
function plainHeaders(init: RequestInit['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  (init instanceof Headers ? init : new Headers(init)).forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

function headersOf(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  return headers;
}

/**
 * A `fetch` over node:http(s) keep-alive agents, for the openai client. Our LLM calls are small JSON requests
 * with buffered JSON replies, and undici's fetch spends most of its per-call CPU on WHATWG streams we never
 * use; on a busy worker that CPU is what limits a run's throughput (bench/pipeline; 4,000 openai-SDK calls
 * against a local server: ~4.1 s of CPU with the global fetch, ~2.1 s with this). Replies are buffered
 * (BufferedResponse). Requests whose body is
 * not a string or bytes (a stream, a form) go to the global fetch unchanged, unless the fetch is guarded (then
 * they are refused). Aborting through `signal` (the
 * SDK's timeout does) destroys the request and rejects with an AbortError, as fetch does.
 */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): typeof fetch {
  const { guard } = options;
  // Each fetch has its own pools, so a socket opened for the operator is never lent to a tenant's request.
  const agents = {
    'http:': new HttpAgent({ keepAlive: true }),
    'https:': new HttpsAgent({ keepAlive: true }),
  };
  return (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = requestBody(init.body);
    try {
      guard?.check(url);
    } catch (error) {
      return Promise.reject(error);
    }
    if (input instanceof Request || body === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      // The global fetch would resolve, connect and follow redirects unchecked.
      if (guard) return Promise.reject(new TypeError('a guarded fetch sends only string or byte bodies'));
      return fetch(input, init);
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Response>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      // `lookup` runs once per new connection: a kept-alive socket was checked when it connected.
      const req = send(url, {
        method: init.method ?? 'GET',
        headers: plainHeaders(init.headers),
        agent: agents[url.protocol as 'http:' | 'https:'],
        ...(guard ? { lookup: guard.lookup(url) } : {}),
      });
      const onAbort = () => {
        const error = abortError(signal!);
        req.destroy(error);
        reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      req.on('error', (error) => {
        done();
        reject(error);
      });
      req.on('response', (res) => {
        const location = res.headers.location;
        if (guard && REDIRECT_STATUSES.has(res.statusCode ?? 0) && location !== undefined) {
          res.resume();
          done();
          reject(guard.redirect(url, res.statusCode ?? 0, location));
          return;
        }
        const encoding = res.headers['content-encoding']?.toLowerCase();
        const decompress = encoding ? DECOMPRESSORS[encoding] : undefined;
        const stream: NodeJS.ReadableStream = decompress ? res.pipe(decompress()) : res;
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', (error) => {
          done();
          reject(error);
        });
        stream.on('end', () => {
          done();
          const status = res.statusCode ?? 0;
          const headers = headersOf(res);
          // The body is already decoded: keep the headers honest about it.
          if (decompress) {
            headers.delete('content-encoding');
            headers.delete('content-length');
          }
          const payload = NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks);
          const response = new BufferedResponse(payload, status, res.statusMessage ?? '', headers, url.href);
          resolve(response as unknown as Response);
        });
      });
      req.end(body);
    });
  };
}
