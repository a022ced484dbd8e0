import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { LOCAL_BUCKET, LOCAL_TABLE } from '../../local/emulators.js';
import { waitForExport } from './exports.js';
import { type ApiClient, apiClient, type startTestStack, waitFor } from './stack.js';

/**
 * The API as its OpenAPI document describes it, so tests that must cover every endpoint (hostile input, tenant
 * isolation) enumerate the document instead of a hand-kept list: a new route is covered the day it is added.
 */

type Schema = Record<string, any>;
export interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: any; parameters?: Array<{ name: string; in: string }> }>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** The JSON request body's schema, refs resolved lazily through `resolve`; undefined when it takes none. */
  bodySchema?: Schema;
  pathParams: string[];
  /** The names of its query parameters. */
  queryParams: string[];
}

export async function fetchOpenApi(baseUrl: string): Promise<OpenApiDocument> {
  const res = await apiClient(baseUrl).get('/openapi.json');
  if (res.status !== 200) throw new Error(`openapi.json: ${res.status}`);
  return res.body as OpenApiDocument;
}

export function operations(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      out.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        bodySchema: op.requestBody?.content?.['application/json']?.schema,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        queryParams: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      });
    }
  }
  return out;
}

export const isWrite = (op: Operation) => ['POST', 'PUT', 'PATCH'].includes(op.method);

export function resolver(doc: OpenApiDocument) {
  return function resolve(schema: Schema | undefined): Schema {
    let s = schema ?? {};
    for (let i = 0; s.$ref && i < 20; i++) s = doc.components?.schemas?.[String(s.$ref).split('/').pop()!] ?? {};
    return s;
  };
}

/**
 * A plausible body for the schema: every required property (and the first variant of a union) with a value of
 * its type. Hostile tests mutate one place of it, so the mutation reaches past the first check of the body.
 */
export function skeleton(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): unknown {
  const resolve = resolver(doc);
  const s = resolve(schema);
  if (depth > 6) return null;
  if ('const' in s) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const variant = s.anyOf ?? s.oneOf;
  if (variant) return skeleton(doc, variant.find((v: Schema) => resolve(v).type !== 'null') ?? variant[0], depth + 1);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((p: Schema) => skeleton(doc, p, depth + 1)));
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of s.required ?? []) out[name] = skeleton(doc, s.properties?.[name], depth + 1);
      return out;
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => skeleton(doc, s.items, depth + 1));
    case 'string':
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return {};
  }
}

/** Every property path (dotted) the schema names, through unions and arrays, down to `maxDepth` levels. */
export function propertyPaths(doc: OpenApiDocument, schema: Schema | undefined, maxDepth = 3): string[][] {
  const resolve = resolver(doc);
  const out: string[][] = [];
  const walk = (raw: Schema | undefined, at: string[], depth: number) => {
    const s = resolve(raw);
    if (depth > maxDepth) return;
    for (const key of ['anyOf', 'oneOf', 'allOf']) for (const v of s[key] ?? []) walk(v, at, depth);
    for (const [name, child] of Object.entries<Schema>(s.properties ?? {})) {
      out.push([...at, name]);
      walk(child, [...at, name], depth + 1);
    }
  };
  walk(schema, [], 0);
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(p.join('.')) && seen.add(p.join('.')));
}

/** The path with its `{param}`s filled from `ids`; throws naming a parameter no fixture provides. */
export function fillPath(path: string, ids: Record<string, string>) {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = ids[name];
    if (value === undefined) throw new Error(`no fixture id for {${name}} in ${path}: add one to the test's ids`);
    return encodeURIComponent(value);
  });
}

type Stack = Awaited<ReturnType<typeof startTestStack>>;

/**
 * Everything the stack has stored, as one comparable text: every DynamoDB item, every S3 object's key and ETag,
 * and the local secret store's file, as sorted lines. Equal before and after a refused request means it wrote nothing.
 */
export async function storedState(stack: Stack): Promise<string[]> {
  const { dynamo, s3 } = stack.core.emulators.clients;
  const items: unknown[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: LOCAL_TABLE, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const objects: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_BUCKET, ContinuationToken: token }));
    objects.push(...(page.Contents ?? []).map((o) => `${o.Key} ${o.ETag} ${o.Size}`));
    token = page.NextContinuationToken;
  } while (token);
  const secretsFile = join(stack.dataDir, 'project-secrets.json');
  const secrets = existsSync(secretsFile) ? readFileSync(secretsFile, 'utf8') : '';
  return [
    ...items.map((i) => `item ${JSON.stringify(i)}`),
    ...objects.map((o) => `object ${o}`),
    `secrets ${secrets}`,
  ].sort();
}

/** What changed between two storedState()s, one abbreviated line per entry added (+) or gone (-). */
export function stateChanges(before: string[], after: string[]): string[] {
  const was = new Set(before);
  const is = new Set(after);
  const short = (line: string) => (line.length > 400 ? `${line.slice(0, 400)}…` : line);
  return [
    ...before.filter((line) => !is.has(line)).map((line) => `- ${short(line)}`),
    ...after.filter((line) => !was.has(line)).map((line) => `+ ${short(line)}`),
  ];
}

/**
 * One of every resource a path of the API names, in a new project of `api`'s organization: the ids by the
 * names of the path parameters (`{runId}`, `{metricConfigId}`, `{name}` of a secret, ...). `runId` is a run
 * without metrics (records posted to it start no background scoring); `recordId` is in a run with a human
 * metric, already counted, so nothing is left running.
 */
export async function seedResources(stack: Stack, api: ApiClient, label = 'seeded'): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  const ok = <T>(res: { status: number; body: T }, what: string) => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as any;
  };
  ids.projectId = ok(await api.post('/projects', { name: label }), 'project').id;
  ids.testsetId = ok(
    await api.post(`/projects/${ids.projectId}/testsets`, {
      name: 'ts',
      fieldMapping: { inputs: ['q'], expected: ['a'], metadata: [] },
    }),
    'testset',
  ).id;
  ids.testcaseId = ok(
    await api.post(`/testsets/${ids.testsetId}/testcases`, { items: [{ jsonData: { q: 'q', a: 'a' } }] }),
    'testcase',
  ).items[0].id;
  const metric = ok(
    await api.post(`/projects/${ids.projectId}/metrics`, { name: 'review', evalType: 'human', outputType: 'boolean' }),
    'metric',
  );
  ids.metricId = metric.id;
  ids.metricConfigId = metric.versionId;
  const system = ok(
    await api.post(`/projects/${ids.projectId}/systems`, { name: 'ext', config: { type: 'external' } }),
    'system',
  );
  ids.systemId = system.id;
  ids.versionId = system.productionVersion.id;
  ids.runId = ok(await api.post(`/projects/${ids.projectId}/runs`, { metricIds: [] }), 'run').id;
  // A heuristic beside the human metric: the background scoring of the posted record ends with a score the
  // run counts, which is what is waited for.
  const exact = ok(
    await api.post(`/projects/${ids.projectId}/metrics`, {
      name: 'exact',
      evalType: 'heuristic',
      outputType: 'boolean',
      heuristic: { kind: 'exact_match', value: 'x' },
    }),
    'heuristic metric',
  );
  const scoredRun = ok(
    await api.post(`/projects/${ids.projectId}/runs`, { metricIds: [ids.metricId, exact.id] }),
    'run',
  ).id;
  ids.recordId = ok(await api.post(`/runs/${scoredRun}/records`, { outputs: { response: 'x' } }), 'record').id;
  await waitFor(
    async () => ((await api.get(`/runs/${scoredRun}`)).body.numScores >= 1 ? true : undefined),
    'the posted record to be scored',
  );
  await stack.pipeline?.whenIdle();
  ids.monitorId = ok(
    await api.post(`/projects/${ids.projectId}/monitors`, { name: 'm', schedule: 'rate(1 hour)', active: false }),
    'monitor',
  ).id;
  // A record's document field (GET /records/{id}/fields/{field}): a name, not an id, the same in every organization.
  ids.field = 'outputs';
  ids.name = 'API_TOKEN';
  ok(await api.put(`/projects/${ids.projectId}/secrets/${ids.name}`, { value: 'hunter2-secret-value' }), 'secret');
  ids.exportId = ok(await api.post(`/runs/${ids.runId}/exports`, {}), 'export').id;
  // Exports are written by a worker: settled now, so no later snapshot of the stored state sees it move.
  await waitForExport(api, ids.exportId!);
  ids.scoredRunId = scoredRun;
  return ids;
}
