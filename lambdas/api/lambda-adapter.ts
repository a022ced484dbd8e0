import type { Context } from 'hono';
import { handle } from 'hono/aws-lambda';
import type { createApp } from './app.js';

/** The caller's address as API Gateway saw it (never X-Forwarded-For, which the caller writes). */
export const apiGatewaySourceIp = (c: Context<{ Bindings: { requestContext?: { http?: { sourceIp?: string } } } }>) =>
  c.env?.requestContext?.http?.sourceIp;

/**
 * The Lambda entry point for the Hono app: API Gateway HTTP API (payload 2.0) events in, `{statusCode, headers,
 * body, isBase64Encoded}` out. Kept apart from handler.ts, which wires AWS at module scope, so tests can feed the
 * very same adapter recorded events against the local stack's app.
 */
export const lambdaHandler = (app: ReturnType<typeof createApp>) => handle(app);
