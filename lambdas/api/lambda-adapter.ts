import type { Context } from 'hono';
import { handle } from 'hono/aws-lambda';
import type { createApp } from './app.js';
import { apiLogger } from './errors.js';

/** The caller's address as API Gateway saw it (never X-Forwarded-For, which the caller writes). */
export const apiGatewaySourceIp = (c: Context<{ Bindings: { requestContext?: { http?: { sourceIp?: string } } } }>) =>
  c.env?.requestContext?.http?.sourceIp;

/**
 * The Lambda entry point for the Hono app: API Gateway HTTP API (payload 2.0) events in, `{statusCode, headers,
 * body, isBase64Encoded}` out. Kept apart from handler.ts, which wires AWS at module scope, so tests can feed the
 * very same adapter recorded events against the local stack's app.
 */
export function lambdaHandler(app: ReturnType<typeof createApp>) {
  const handler = handle(app);
  return async (...[event, context]: Parameters<typeof handler>) => {
    // A Lambda instance serves one request at a time, so these keys belong to this request's lines only.
    if (context) apiLogger.addContext(context as unknown as Parameters<typeof apiLogger.addContext>[0]);
    const requestId = (event.requestContext as { requestId?: string } | undefined)?.requestId;
    apiLogger.appendKeys({ requestId });
    try {
      return await handler(event, context);
    } finally {
      apiLogger.removeKeys(['requestId']);
    }
  };
}
