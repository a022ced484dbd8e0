import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForExport } from '../support/exports.js';
import {
  fetchOpenApi,
  fillPath,
  isWrite,
  type OpenApiDocument,
  type Operation,
  operations,
  propertyPaths,
  seedResources,
  skeleton,
  stateChanges,
  storedState,
} from '../support/openapi.js';
import { type ApiClient, apiClient, fieldPaths, startTestStack } from '../support/stack.js';

/**
 * Hostile bodies at every write endpoint the OpenAPI document lists (property-based): malformed JSON, wrong types,
 * huge numbers, NUL and lone surrogates, `__proto__`/`constructor` keys, 10,000-deep nesting, strings near and
 * past the size limits. Whatever arrives: never a 5xx, never a hang, and a refused request stores nothing
 * (DynamoDB, S3 and the secret store compared before and after). hostile-json.test.ts pins the exact answers to
 * the numbers and depths it found; this file sweeps the whole surface.
 */

/** JSON text spliced in verbatim where JSON.stringify could not write it (1e400, "\ud800", a __proto__ key). */
class Raw {
  constructor(readonly text: string) {}
}
const raw = (text: string) => new Raw(text);

function toText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toText).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toText(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A copy of `body` with `value` at `path`, creating the objects on the way. */
function setAt(body: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const base = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as object) } : {};
  const [head, ...rest] = path as [string, ...string[]];
  Object.defineProperty(base, head, {
    value: setAt((base as Record<string, unknown>)[head], rest, value),
    enumerable: true,
    configurable: true,
    writable: true,
  });
  return base;
}

const DEEP = 10_000;
const nest = (open: '[' | '{"a":', levels: number) =>
  `${open.repeat(levels)}1${(open === '[' ? ']' : '}').repeat(levels)}`;

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  // Wrong types.
  fc.constantFrom(null, true, false, 0, -1, 1.5, '', [], {}, 'not-an-id', [null], { a: 1 }),
  // Numbers no number type holds, or not exactly.
  fc
    .constantFrom(
      '1e400',
      '-1e400',
      '1e-400',
      '-0',
      '9007199254740993',
      '-9223372036854775809',
      '123456789012345678901234567890123456789',
      '1.7976931348623157e308',
      '5e-324',
    )
    .map(raw),
  // NUL, lone surrogates, direction overrides, as JSON escapes and as the code units themselves.
  fc.constantFrom('"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"\\udfff"', '"x\\ud83d"', '"\\u202e\\u0000"').map(raw),
  fc.string({ unit: 'binary', maxLength: 40 }),
  // Keys that pollute prototypes when merged naively.
  fc
    .constantFrom(
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"prototype":{"polluted":true},"__proto__":null}',
      '[{"__proto__":{"polluted":true}}]',
    )
    .map(raw),
  // 10,000 levels of arrays or objects.
  fc.constantFrom('[' as const, '{"a":' as const).map((open) => raw(nest(open, DEEP))),
  // Near DynamoDB's 400 KB item limit and near the 1 MiB body limit.
  fc.constantFrom(300_000, 420_000, 1_000_000).map((n) => 'x'.repeat(n)),
  fc.jsonValue({ maxDepth: 3 }),
);

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Hostile bodies for one operation, as the JSON text sent (or not JSON at all). */
function hostileBodies(doc: OpenApiDocument, op: Operation): fc.Arbitrary<string> {
  const base = skeleton(doc, op.bodySchema);
  const baseText = toText(base);
  const paths = propertyPaths(doc, op.bodySchema);
  const places = fc.constantFrom<string[]>([], ...paths);
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(places, hostileLeaf).map(([path, leaf]) => toText(setAt(base, path, leaf))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(places, fc.constantFrom(...PROTO_KEYS), hostileLeaf)
        .map(([path, key, leaf]) => toText(setAt(base, [...path, key], leaf))),
    },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 30 }).filter((t) => {
          try {
            JSON.parse(t);
            return false;
          } catch {
            return true;
          }
        }),
        fc.integer({ min: 1, max: Math.max(1, baseText.length - 1) }).map((n) => baseText.slice(0, n)),
        fc.constantFrom(
          `${baseText}}`,
          `${baseText},`,
          `\uFEFF${baseText}`,
          baseText.replaceAll('"', "'"),
          '{"a":NaN}',
          '{"a":1,}',
          '{"a":undefined}',
          '{"a":01}',
          '{"a":"\\x41"}',
          '{"a":"\\u12"}',
          `{"a":"${'\\'.repeat(3)}"}`,
          `${'['.repeat(DEEP)}`,
        ),
      ),
    },
  );
}

/** One request of the property; shown abbreviated, as a counterexample may hold a megabyte. */
class HostileRequest {
  constructor(
    readonly operation: Operation,
    readonly text: string,
  ) {}
  toString() {
    const { method, path } = this.operation;
    const shown = this.text.length > 300 ? `${this.text.slice(0, 300)}… (${this.text.length} chars)` : this.text;
    return `${method} ${path} ${shown}`;
  }
  [fc.toStringMethod]() {
    return this.toString();
  }
}

let stack: Awaited<ReturnType<typeof startTestStack>>;
let api: ApiClient;
let doc: OpenApiDocument;
let writes: Operation[] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  // The outbound policy as deployed: private addresses refused (the stack's own ports are refused either way).
  stack = await startTestStack({ authCacheMs: 0, allowPrivateUrls: false });
  api = apiClient(stack.url, stack.apiKey);
  doc = await fetchOpenApi(stack.url);
  writes = operations(doc).filter((op) => isWrite(op) && op.bodySchema);

  Object.assign(ids, await seedResources(stack, api));
});
afterAll(() => stack?.stop());

/** Sends `text` as the body; a hang is a failure, bounded well inside the test timeout. */
async function send(op: Operation, text: string, init: RequestInit = {}) {
  const res = await fetch(`${stack.url}/api/v2${fillPath(op.path, ids)}`, {
    method: op.method,
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: text,
    signal: AbortSignal.timeout(15_000),
    ...init,
  });
  const body = await res.text();
  return { status: res.status, body };
}

/** The refusal is JSON naming what was wrong; a 5xx is a bug whatever the body was. */
function expectClientError(label: string, res: { status: number; body: string }) {
  expect(res.status, `${label} → ${res.status} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    const parsed = JSON.parse(res.body) as { code?: string; message?: string };
    expect(typeof parsed.code, label).toBe('string');
    expect(typeof parsed.message, label).toBe('string');
  }
}

describe('hostile bodies at every write endpoint of the OpenAPI document', () => {
  it('finds the write endpoints and a fixture id for every path parameter', () => {
    expect(writes.length).toBeGreaterThanOrEqual(20);
    for (const op of writes) expect(() => fillPath(op.path, ids)).not.toThrow();
  });

  it('never answers 5xx, never hangs, and a refused request writes nothing', async () => {
    const cases = fc
      .constantFrom(...writes)
      .chain((o) => hostileBodies(doc, o).map((text) => new HostileRequest(o, text)));
    await fc.assert(
      fc.asyncProperty(cases, async ({ operation, text }) => {
        const label = String(new HostileRequest(operation, text));
        await stack.pipeline?.whenIdle();
        const before = await storedState(stack);
        const res = await send(operation, text);
        expectClientError(label, res);
        if (res.status >= 400)
          expect(stateChanges(before, await storedState(stack)), `${label} wrote data`).toEqual([]);
        // An accepted export goes on in its worker: let it settle before the next case takes its snapshot.
        if (res.status === 202) await waitForExport(api, (JSON.parse(res.body) as { id: string }).id);
        expect(({} as Record<string, unknown>).polluted, label).toBeUndefined();
      }),
      { numRuns: 250 },
    );
  });
});

/** Spellings of one IPv4 address the URL parser turns back into it. */
const spellings = (octets: [number, number, number, number]) => {
  const n = octets.reduce((acc, o) => acc * 256 + o, 0);
  return [
    octets.join('.'),
    String(n),
    `0x${n.toString(16)}`,
    octets.map((o) => `0${o.toString(8)}`).join('.'),
    `${octets[0]}.${octets[1]}.${(octets[2] << 8) | octets[3]}`,
    `[::ffff:${octets.join('.')}]`,
    `[::ffff:${((octets[0] << 8) | octets[1]).toString(16)}:${((octets[2] << 8) | octets[3]).toString(16)}]`,
  ];
};
const octet = fc.integer({ min: 0, max: 255 });

/** URLs an attacker would point a system at: cloud metadata, the stack's own emulators and API, private ranges. */
function refusedUrls(ports: number[]): fc.Arbitrary<string> {
  const metadata = fc.constantFrom(
    ...spellings([169, 254, 169, 254]).map((h) => `http://${h}/latest/meta-data/iam/security-credentials/`),
    'http://[fd00:ec2::254]/latest/api/token',
    'http://169.254.170.2/v2/credentials',
    'http://100.100.100.200/latest/meta-data/',
  );
  const loopback = fc.constantFrom(
    ...spellings([127, 0, 0, 1]),
    '127.1',
    '[::1]',
    '[0:0:0:0:0:0:0:1]',
    '0.0.0.0',
    '[::]',
  );
  const ownPorts = fc
    .tuple(loopback, fc.constantFrom(...ports), fc.constantFrom('http', 'https'))
    .map(([host, port, scheme]) => `${scheme}://${host}:${port}/`);
  const privateRange = fc.oneof(
    fc.tuple(octet, octet, octet).map(([b, c, d]) => [10, b, c, d] as [number, number, number, number]),
    fc
      .tuple(fc.integer({ min: 16, max: 31 }), octet, octet)
      .map(([b, c, d]) => [172, b, c, d] as [number, number, number, number]),
    fc.tuple(octet, octet).map(([c, d]) => [192, 168, c, d] as [number, number, number, number]),
    fc
      .tuple(fc.integer({ min: 64, max: 127 }), octet, octet)
      .map(([b, c, d]) => [100, b, c, d] as [number, number, number, number]),
  );
  const privateUrl = privateRange
    .chain((octets) => fc.constantFrom(...spellings(octets)))
    .map((host) => `http://${host}/agent`);
  const schemes = fc.constantFrom(
    'file:///etc/passwd',
    'gopher://127.0.0.1:6379/_INFO',
    'ftp://10.0.0.1/',
    'dict://[::1]:11211/',
  );
  return fc.oneof(metadata, ownPorts, privateUrl, schemes);
}

describe('what the properties found', () => {
  it('a system config too large for one stored item is a 400 naming config, and claims no config hash', async () => {
    // It was a 500 after the config's dedupe claim was written, so the same config later named a missing version.
    const config = { model: 'm', notes: 'x'.repeat(300_000) };
    for (const [path, body] of [
      [`/projects/${ids.projectId}/systems`, { name: 'big', config }],
      [`/systems/${ids.systemId}/versions`, { config }],
    ] as const) {
      const before = await storedState(stack);
      const res = await api.post(path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(fieldPaths(res.body)).toEqual(['config']);
      expect(stateChanges(before, await storedState(stack))).toEqual([]);
    }
  });
});

describe('10 MB bodies at every write endpoint', () => {
  const tenMegabytes = `{"name":"${'x'.repeat(10 * 1024 * 1024)}"}`;

  it('are a 413 before they are read, with a Content-Length or chunked, writing nothing', async () => {
    const before = await storedState(stack);
    for (const op of writes) {
      const sized = await send(op, tenMegabytes);
      expect(sized.status, `${op.method} ${op.path} (Content-Length)`).toBe(413);
      // No Content-Length: the limit counts the bytes as they arrive.
      const bytes = new TextEncoder().encode(tenMegabytes);
      const chunked = await send(op, '', {
        body: new ReadableStream({
          pull(controller) {
            controller.enqueue(bytes);
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status, `${op.method} ${op.path} (chunked)`).toBe(413);
    }
    await stack.pipeline?.whenIdle();
    expect(stateChanges(before, await storedState(stack))).toEqual([]);
  });
});

describe('the outbound URL policy at every endpoint that takes a system config', () => {
  const urlFields = () =>
    writes.flatMap((op) =>
      propertyPaths(doc, op.bodySchema)
        .filter((path) => /^(url|baseURL)$/.test(path.at(-1)!))
        .map((path) => ({ op, path })),
    );

  it('finds the config URLs in the OpenAPI document', () => {
    const found = urlFields().map(({ op, path }) => `${op.method} ${op.path} ${path.join('.')}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'POST /projects/{projectId}/systems config.url',
        'POST /projects/{projectId}/systems config.baseURL',
        'POST /systems/{systemId}/versions config.url',
      ]),
    );
  });

  it('refuses metadata, the stack’s own ports and private ranges with a 400 naming the field, writing nothing', async () => {
    const endpoints = stack.core.emulators.endpoints;
    const ports = [endpoints.dynamodb, endpoints.s3, endpoints.sqs, stack.url]
      .filter((e): e is string => Boolean(e))
      .map((e) => Number(new URL(e).port));
    const places = fc.constantFrom(...urlFields());
    await fc.assert(
      fc.asyncProperty(places, refusedUrls(ports), async ({ op, path }, url) => {
        const field = path.at(-1)!;
        const config =
          field === 'url'
            ? { type: 'http', url }
            : {
                type: 'openai_chat',
                model: 'gpt-4o-mini',
                messages: [{ role: 'user', content: 'hi' }],
                baseURL: url,
                apiKeySecret: ids.name,
              };
        // The Playground runs a config on typed inputs or a testcase: give it inputs, so only the URL is wrong.
        const base = skeleton(doc, op.bodySchema) as Record<string, unknown>;
        const withInputs = propertyPaths(doc, op.bodySchema, 0).some((p) => p[0] === 'inputs')
          ? { ...base, inputs: {} }
          : base;
        const body = setAt(withInputs, path.slice(0, -1), config);
        const label = `${op.method} ${op.path} ${path.join('.')}=${url}`;
        await stack.pipeline?.whenIdle();
        const before = await storedState(stack);
        const res = await send(op, JSON.stringify(body));
        expect(res.status, `${label} → ${res.body}`).toBe(400);
        expect(fieldPaths(JSON.parse(res.body)), label).toContain(path.join('.'));
        expect(stateChanges(before, await storedState(stack)), label).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
