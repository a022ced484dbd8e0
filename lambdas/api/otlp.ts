import { gunzipSync } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { badRequest, VerdictError } from '../core/errors.js';
import { OtlpTraceRequest, PROJECT_ATTRIBUTE, tracesFromOtlp } from '../core/monitors/otlp.js';
import { ingestTraces } from '../core/monitors/traces.js';
import { MAX_TRACES_PER_REQUEST } from '../core/schemas/trace.js';
import type { ApiDeps, ApiEnv } from './context.js';
import { onError, zodIssues } from './errors.js';
import { checkJsonDepth, limitBody } from './middleware/body.js';
import { monitorNow } from './routes/monitors.js';

export const OTLP_TRACES_PATH = '/v1/traces';
export const PROJECT_HEADER = 'x-verdict-project';
/** A gzip body may inflate to this much JSON (the compressed body is limited to 1 MiB like every request). */
const MAX_INFLATED_BYTES = 8 * 1024 * 1024;

async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new VerdictError(
      415,
      'unsupported_media_type',
      'send OTLP/HTTP JSON (Content-Type: application/json); the protobuf encoding is not supported',
      [{ path: 'content-type', message: `must be application/json, got ${type || 'nothing'}` }],
    );
  }
  const raw = Buffer.from(await request.arrayBuffer());
  const encoding = (request.headers.get('content-encoding') ?? 'identity').toLowerCase();
  let text: string;
  if (encoding === 'gzip') {
    try {
      text = gunzipSync(raw, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
    } catch (error) {
      throw badRequest('the gzip body could not be inflated', [
        { path: '(body)', message: error instanceof Error ? error.message : String(error) },
      ]);
    }
  } else if (encoding === 'identity') text = raw.toString('utf8');
  else {
    throw new VerdictError(415, 'unsupported_media_type', `content-encoding ${encoding} is not supported; use gzip`, [
      { path: 'content-encoding', message: 'must be gzip or absent' },
    ]);
  }
  checkJsonDepth(text);
  return JSON.parse(text);
}

/**
 * `POST /v1/traces`, where OpenTelemetry exporters send spans (OTLP/HTTP JSON, optionally gzip), with the API's
 * Bearer auth. GenAI spans become traces of the project named by the resource attribute `verdict.project.id`,
 * else by the `x-verdict-project` header; other spans are ignored.
 */
export function otlpRoutes(deps: ApiDeps, auth: MiddlewareHandler<ApiEnv>) {
  const app = new Hono<ApiEnv>();
  app.onError(onError);
  app.post(OTLP_TRACES_PATH, limitBody, auth, async (c) => {
    const parsed = OtlpTraceRequest.safeParse(await readJson(c.req.raw));
    if (!parsed.success) {
      throw badRequest('the body is not an OTLP ExportTraceServiceRequest', zodIssues(parsed.error));
    }
    const converted = tracesFromOtlp(parsed.data, c.req.header(PROJECT_HEADER) || undefined);
    if (converted.withoutProject > 0) {
      throw badRequest(`${converted.withoutProject} GenAI spans name no project`, [
        {
          path: PROJECT_HEADER,
          message: `set the ${PROJECT_HEADER} header or the resource attribute ${PROJECT_ATTRIBUTE}`,
        },
      ]);
    }
    const ports = deps;
    const now = monitorNow(deps);
    for (const [projectId, items] of converted.byProject) {
      for (let i = 0; i < items.length; i += MAX_TRACES_PER_REQUEST) {
        await ingestTraces(ports, c.get('scope'), projectId, items.slice(i, i + MAX_TRACES_PER_REQUEST), { now });
      }
    }
    // OTLP's ExportTraceServiceResponse: partialSuccess only when some spans were refused.
    return c.json(
      converted.rejected > 0
        ? { partialSuccess: { rejectedSpans: converted.rejected, errorMessage: converted.firstError ?? '' } }
        : {},
      200,
    );
  });
  return app;
}
