import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { ErrorBody } from '../../core/schemas/common.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

const errorResponses = {
  400: {
    description: 'Invalid request: details name each bad field',
    content: { 'application/json': { schema: ErrorBody } },
  },
  401: { description: 'Missing or unknown API key', content: { 'application/json': { schema: ErrorBody } } },
  404: {
    description: 'Not found (or not visible to this key)',
    content: { 'application/json': { schema: ErrorBody } },
  },
};

/** One place that turns our route shorthand into an OpenAPI route with the shared error responses. */
export function defineRoute<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType = z.ZodType,
>(spec: {
  method: Method;
  path: string;
  tag: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  status?: 200 | 201 | 202;
}) {
  const status = spec.status ?? 200;
  return createRoute({
    method: spec.method,
    path: spec.path,
    tags: [spec.tag],
    summary: spec.summary,
    security: [{ Bearer: [] }],
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
    } as {
      params: P extends z.ZodObject ? P : never;
      query: Q extends z.ZodObject ? Q : never;
      body: B extends z.ZodType ? { content: { 'application/json': { schema: B } }; required: true } : never;
    },
    responses: {
      [status]: { description: 'OK', content: { 'application/json': { schema: spec.response } } },
      ...errorResponses,
    } as unknown as { [K in typeof status]: { description: string; content: { 'application/json': { schema: R } } } },
  });
}

export const idParam = (name: string) =>
  z.object({ [name]: z.string().min(1).max(64) }) as z.ZodObject<Record<string, z.ZodString>>;
