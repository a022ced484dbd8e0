import { randomUUID } from 'node:crypto';

/**
 * A client that talks to Verdict the way Scorecard's TypeScript SDK (scorecard-ai 3.1.0) does on the wire, so
 * the compatibility suite catches a regression without the SDK installed. Written from the SDK's documented
 * behaviour, not from its code: the same paths, bodies and query strings per call, the headers it sends, JSON
 * parsed only when the response says application/json, errors by status with the body kept as `error`, two
 * retries on connection errors and 408/409/429/5xx unless `x-should-retry` says otherwise, and lists that
 * follow `nextCursor` while `hasMore`.
 */

const SDK_VERSION = '3.1.0';

export interface Exchange {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  requestHeaders: Record<string, string>;
}

export class ScorecardWireError extends Error {
  constructor(
    readonly status: number,
    /** The parsed error body, as the SDK's APIError.error. */
    readonly error: any,
    readonly headers: Headers,
  ) {
    super(`${status} ${typeof error?.message === 'string' ? error.message : JSON.stringify(error)}`);
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

function queryString(query: Query = {}) {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${v === null ? '' : encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

const retryable = (res: Response) => {
  const header = res.headers.get('x-should-retry');
  if (header === 'true') return true;
  if (header === 'false') return false;
  return res.status === 408 || res.status === 409 || res.status === 429 || res.status >= 500;
};

export function scorecardClient(options: { baseURL: string; apiKey: string; maxRetries?: number }) {
  const exchanges: Exchange[] = [];
  const maxRetries = options.maxRetries ?? 2;

  async function request<T = any>(method: string, path: string, init: { query?: Query; body?: unknown } = {}) {
    const url = `${options.baseURL}${path}${queryString(init.query)}`;
    for (let retry = 0; ; retry++) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': `Scorecard/JS ${SDK_VERSION}`,
        'x-stainless-retry-count': String(retry),
        'x-stainless-timeout': '60',
        'x-stainless-lang': 'js',
        'x-stainless-package-version': SDK_VERSION,
        'x-stainless-os': 'Linux',
        'x-stainless-arch': 'x64',
        'x-stainless-runtime': 'node',
        'x-stainless-runtime-version': process.version,
        authorization: `Bearer ${options.apiKey}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      };
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (error) {
        if (retry < maxRetries) continue;
        throw error;
      }
      const contentType = res.headers.get('content-type');
      exchanges.push({ method, path, status: res.status, contentType, requestHeaders: headers });
      const text = await res.text();
      const isJson = /application\/json|\+json/.test(contentType?.split(';')[0] ?? '');
      const body = isJson && text !== '' ? JSON.parse(text) : text;
      if (res.ok) return body as T;
      if (retry < maxRetries && retryable(res)) {
        const after = Number(res.headers.get('retry-after-ms') ?? Number(res.headers.get('retry-after') ?? 0) * 1000);
        await new Promise((resolve) => setTimeout(resolve, Number.isFinite(after) && after > 0 ? after : 50));
        continue;
      }
      throw new ScorecardWireError(res.status, isJson ? body : undefined, res.headers);
    }
  }

  /** The SDK's auto-paging: items of every page, asking for the next with `cursor` while `hasMore`. */
  async function* list<T = any>(path: string, query: Query = {}): AsyncGenerator<T> {
    let cursor: string | undefined;
    for (;;) {
      const page = await request<{ data?: T[]; nextCursor?: string; hasMore?: boolean }>('GET', path, {
        query: { ...query, ...(cursor ? { cursor } : {}) },
      });
      yield* page.data ?? [];
      if (page.hasMore === false || !page.nextCursor || (page.data ?? []).length === 0) return;
      cursor = page.nextCursor;
    }
  }

  const all = async <T>(items: AsyncGenerator<T>) => {
    const out: T[] = [];
    for await (const item of items) out.push(item);
    return out;
  };

  const client = {
    exchanges,
    list,
    all,
    projects: {
      create: (body: { name: string; description: string }) => request('POST', '/projects', { body }),
      list: (query?: Query) => list('/projects', query),
    },
    testsets: {
      create: (projectId: string, body: unknown) => request('POST', `/projects/${projectId}/testsets`, { body }),
      update: (testsetId: string, body: unknown = {}) => request('PATCH', `/testsets/${testsetId}`, { body }),
      list: (projectId: string, query?: Query) => list(`/projects/${projectId}/testsets`, query),
      delete: (testsetId: string) => request('DELETE', `/testsets/${testsetId}`),
      get: (testsetId: string) => request('GET', `/testsets/${testsetId}`),
    },
    testcases: {
      create: (testsetId: string, body: { items: Array<{ jsonData: Record<string, unknown> }> }) =>
        request('POST', `/testsets/${testsetId}/testcases`, { body }),
      update: (testcaseId: string, body: { jsonData: Record<string, unknown> }) =>
        request('PUT', `/testcases/${testcaseId}`, { body }),
      list: (testsetId: string, query?: Query) => list(`/testsets/${testsetId}/testcases`, query),
      delete: (body: { ids: string[] }) => request('POST', '/testcases/bulk-delete', { body }),
      get: (testcaseId: string) => request('GET', `/testcases/${testcaseId}`),
    },
    runs: {
      create: (projectId: string, body: unknown) => request('POST', `/projects/${projectId}/runs`, { body }),
      list: (projectId: string, query?: Query) => list(`/projects/${projectId}/runs`, query),
      get: (runId: string) => request('GET', `/runs/${runId}`),
      // Older SDKs close a run fed with records this way: PATCH {status: "awaiting_scoring"}.
      update: (runId: string, body: unknown) => request('PATCH', `/runs/${runId}`, { body }),
    },
    metrics: {
      create: (projectId: string, body: unknown) => request('POST', `/projects/${projectId}/metrics`, { body }),
      update: (metricId: string, body: unknown) => request('PATCH', `/metrics/${metricId}`, { body }),
      list: (projectId: string, query?: Query) => list(`/projects/${projectId}/metrics`, query),
      delete: (metricId: string) => request('DELETE', `/metrics/${metricId}`),
      get: (metricId: string) => request('GET', `/metrics/${metricId}`),
    },
    records: {
      create: (runId: string, body: unknown) => request('POST', `/runs/${runId}/records`, { body }),
      list: (runId: string, query?: Query) => list(`/runs/${runId}/records`, query),
      delete: (recordId: string) => request('DELETE', `/records/${recordId}`),
    },
    scores: {
      // The SDK takes recordId out of the params for the path and sends the rest as the body.
      upsert: (metricConfigId: string, params: { recordId: string; score: Record<string, unknown> }) => {
        const { recordId, ...body } = params;
        return request('PUT', `/records/${recordId}/scores/${metricConfigId}`, { body });
      },
    },
    systems: {
      update: (systemId: string, body: unknown = {}) => request('PATCH', `/systems/${systemId}`, { body }),
      list: (projectId: string, query?: Query) => list(`/projects/${projectId}/systems`, query),
      delete: (systemId: string) => request('DELETE', `/systems/${systemId}`),
      get: (systemId: string) => request('GET', `/systems/${systemId}`),
      upsert: (projectId: string, body: unknown) => request('POST', `/projects/${projectId}/systems`, { body }),
      versions: {
        get: (versionId: string) => request('GET', `/systems/versions/${versionId}`),
        upsert: (systemId: string, body: unknown) => request('POST', `/systems/${systemId}/versions`, { body }),
      },
    },
  };
  return client;
}
export type ScorecardWireClient = ReturnType<typeof scorecardClient>;

type Testcase = { id?: string; inputs: Record<string, unknown>; expected: Record<string, unknown> };

/**
 * The SDK's runAndEvaluate as it behaves on the wire: it creates the run (testsetId null for inline testcases)
 * while it reads the system version, then for every testcase and trial calls the system and posts a record
 * (with a fresh otelLinkId, testcaseId only when the testcase has one). Sequentially it waits for each call of
 * the system but not for the POSTs; with runInParallel it waits for neither. It returns once every POST has
 * answered, and never marks the run finished.
 */
export async function runAndEvaluate(
  client: ScorecardWireClient,
  args: {
    projectId: string;
    metricIds: string[];
    systemVersionId?: string;
    testsetId?: string;
    testcases?: Testcase[];
    system: (inputs: Record<string, unknown>, systemVersion: any) => Promise<Record<string, unknown>>;
  },
  options: { runInParallel?: boolean; trials?: number } = {},
) {
  const trials = options.trials ?? 1;
  const runCreated = client.runs.create(args.projectId, {
    testsetId: args.testsetId ?? null,
    metricIds: args.metricIds,
    ...(args.systemVersionId ? { systemVersionId: args.systemVersionId } : {}),
  });
  const systemVersion = args.systemVersionId ? await client.systems.versions.get(args.systemVersionId) : null;
  const run = await runCreated;
  const testcases: AsyncIterable<Testcase> | Testcase[] = args.testsetId
    ? client.testcases.list(args.testsetId)
    : args.testcases!;
  const posts: Array<Promise<unknown>> = [];
  for await (const testcase of testcases) {
    for (let i = 0; i < trials; i++) {
      const otelLinkId = randomUUID();
      const post = (outputs: Record<string, unknown>) =>
        client.records.create(run.id, {
          inputs: testcase.inputs,
          expected: testcase.expected,
          outputs,
          otelLinkId,
          ...(testcase.id ? { testcaseId: testcase.id } : {}),
        });
      const answer = args.system(testcase.inputs, systemVersion);
      posts.push(options.runInParallel ? answer.then(post) : post(await answer));
    }
  }
  await Promise.all(posts);
  return { id: run.id as string };
}
