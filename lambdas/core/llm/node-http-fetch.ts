import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

const DECOMPRESSORS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

// Statuses whose Response must not have a body (the constructor throws otherwise).
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

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

function headersOf(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  return headers;
}

/**
 * A `fetch` over node:http(s) keep-alive agents, for the openai client. Our LLM calls are small JSON requests
 * with buffered JSON replies, and undici's fetch spends most of its per-call CPU on WHATWG streams we never
 * use; on a busy worker that CPU is what limits a run's throughput (bench/pipeline). Requests whose body is
 * not a string or bytes (a stream, a form) go to the global fetch unchanged. Aborting through `signal` (the
 * SDK's timeout does) destroys the request and rejects with an AbortError, as fetch does.
 */
export function createNodeHttpFetch(): typeof fetch {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true }),
    'https:': new HttpsAgent({ keepAlive: true }),
  };
  return (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = requestBody(init.body);
    if (input instanceof Request || body === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return fetch(input, init);
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Response>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(new Headers(init.headers).entries()),
        agent: agents[url.protocol as 'http:' | 'https:'],
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
          resolve(new Response(payload, { status, statusText: res.statusMessage ?? '', headers }));
        });
      });
      req.end(body);
    });
  };
}
