import * as z from 'zod';
import type { Json } from '../schemas/common.js';
import { TraceInput } from '../schemas/trace.js';

/**
 * OTLP/HTTP JSON (ExportTraceServiceRequest) → our traces. Only GenAI spans are kept: those whose attributes (or
 * `gen_ai.content.*` events) carry a prompt or a completion in any of the semantic conventions' generations:
 * `gen_ai.input.messages` / `gen_ai.output.messages` (structured messages), `gen_ai.prompt` / `gen_ai.completion`
 * (text or JSON messages), or their indexed form `gen_ai.prompt.0.content`.
 */
export const PROJECT_ATTRIBUTE = 'verdict.project.id';

const KeyValue = z.object({ key: z.string(), value: z.unknown().optional() });
const Nanos = z.union([z.string(), z.number()]).optional();
const Span = z.object({
  traceId: z.string(),
  spanId: z.string().default(''),
  parentSpanId: z.string().optional(),
  name: z.string().default(''),
  startTimeUnixNano: Nanos,
  endTimeUnixNano: Nanos,
  attributes: z.array(KeyValue).default([]),
  events: z.array(z.object({ name: z.string().default(''), attributes: z.array(KeyValue).default([]) })).default([]),
});
export const OtlpTraceRequest = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: z.array(KeyValue).default([]) }).optional(),
        scopeSpans: z
          .array(
            z.object({
              scope: z.object({ name: z.string().optional() }).optional(),
              spans: z.array(Span).default([]),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
});
export type OtlpTraceRequest = z.infer<typeof OtlpTraceRequest>;
type OtlpSpan = z.infer<typeof Span>;

export interface OtlpConversion {
  byProject: Map<string, TraceInput[]>;
  /** GenAI spans that could not be stored, with the first reason. */
  rejected: number;
  firstError: string | null;
  /** GenAI spans whose resource names no project and no default was given. */
  withoutProject: number;
  /** Spans without GenAI content: not interactions, so not stored. */
  ignored: number;
}

/** Decodes an OTLP AnyValue into plain JSON. */
export function anyValue(value: unknown): unknown {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if ('stringValue' in v) return String(v.stringValue ?? '');
  if ('boolValue' in v) return Boolean(v.boolValue);
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return listOf(v.arrayValue).map(anyValue);
  if ('kvlistValue' in v) return Object.fromEntries(keyValues(listOf(v.kvlistValue)));
  if ('bytesValue' in v) return String(v.bytesValue ?? '');
  return null;
}

const listOf = (holder: unknown): unknown[] => {
  const values = (holder as { values?: unknown } | undefined)?.values;
  return Array.isArray(values) ? values : [];
};

const keyValues = (list: unknown[]): Array<[string, unknown]> =>
  list.flatMap((kv) => {
    const { key, value } = (kv ?? {}) as { key?: unknown; value?: unknown };
    return typeof key === 'string' ? [[key, anyValue(value)] as [string, unknown]] : [];
  });

const attributeMap = (list: Array<{ key: string; value?: unknown }>) => new Map(keyValues(list));

/** Trace and span ids are hex in OTLP/JSON; some exporters send protobuf-JSON base64 instead. */
function normalizeId(id: string, bytes: number): string | null {
  const hex = id.toLowerCase();
  if (new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(hex)) return /^0+$/.test(hex) ? null : hex;
  const decoded = Buffer.from(id, 'base64');
  return decoded.length === bytes && /^[A-Za-z0-9+/]+=*$/.test(id) ? decoded.toString('hex') : null;
}

const CONTENT_KEY = /^gen_ai\.(prompt|completion|input\.messages|output\.messages|system_instructions)(\.|$)/;

const parseMaybeJson = (value: unknown): unknown => {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

/** `gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`, ... as a list of messages. */
function indexedMessages(attrs: Map<string, unknown>, prefix: string): Json[] | undefined {
  const messages: Json[] = [];
  const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.(.+)$`);
  for (const [key, value] of attrs) {
    const match = pattern.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    messages[index] = { ...(messages[index] ?? {}), [match[2]!]: value };
  }
  const present = messages.filter(Boolean);
  return present.length > 0 ? present : undefined;
}

/** The text of a message in any of the conventions' shapes: content string, parts, content parts, choice. */
export function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  if (!message || typeof message !== 'object') return '';
  const m = message as Record<string, unknown>;
  if (typeof m.content === 'string') return m.content;
  const parts = Array.isArray(m.parts) ? m.parts : Array.isArray(m.content) ? m.content : null;
  if (parts) {
    return parts
      .map((p) => {
        if (typeof p === 'string') return p;
        const part = (p ?? {}) as Record<string, unknown>;
        if (part.type !== undefined && part.type !== 'text') return '';
        return typeof part.content === 'string' ? part.content : typeof part.text === 'string' ? part.text : '';
      })
      .filter(Boolean)
      .join('\n');
  }
  if (m.message) return messageText(m.message);
  return '';
}

/** The text a metric reads: the last message of `role` (the user's prompt, the assistant's answer). */
function lastText(messages: unknown[], role: string): string {
  const withRole = messages.filter((m) => (m as { role?: unknown } | null)?.role === role);
  const pool = withRole.length > 0 ? withRole : messages;
  for (let i = pool.length - 1; i >= 0; i--) {
    const text = messageText(pool[i]);
    if (text) return text;
  }
  return '';
}

/** A side of the conversation (prompt or completion) as `{text, messages?}`, or null when absent. */
function side(raw: unknown, role: string): { text: string; messages?: unknown[] } | null {
  if (raw === undefined || raw === null) return null;
  const value = parseMaybeJson(raw);
  if (Array.isArray(value)) return { text: lastText(value, role), messages: value };
  if (typeof value === 'string') return { text: value };
  return { text: messageText(value), messages: [value] };
}

function eventAttribute(span: OtlpSpan, eventName: string, key: string): unknown {
  for (const event of span.events) {
    if (event.name !== eventName) continue;
    const value = attributeMap(event.attributes).get(key);
    if (value !== undefined) return value;
  }
  return undefined;
}

const numberOr = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The latest time a JavaScript Date can hold; a span time past it is as unusable as an unparsable one. */
const MAX_DATE_MS = 8.64e15;

function nanosToMs(value: string | number | undefined): number | null {
  if (value === undefined) return null;
  try {
    const nanos = BigInt(typeof value === 'number' ? Math.trunc(value) : value);
    const ms = Number(nanos / 1000n) / 1000;
    return nanos > 0n && ms <= MAX_DATE_MS ? ms : null;
  } catch {
    return null;
  }
}

/** One GenAI span as a trace input (validated later), or null when it carries no prompt or completion. */
function spanToTrace(span: OtlpSpan, serviceName: string, scopeName: string | undefined): Json | null {
  const attrs = attributeMap(span.attributes);
  const prompt = side(
    attrs.get('gen_ai.input.messages') ??
      attrs.get('gen_ai.prompt') ??
      eventAttribute(span, 'gen_ai.content.prompt', 'gen_ai.prompt') ??
      indexedMessages(attrs, 'gen_ai.prompt'),
    'user',
  );
  const completion = side(
    attrs.get('gen_ai.output.messages') ??
      attrs.get('gen_ai.completion') ??
      eventAttribute(span, 'gen_ai.content.completion', 'gen_ai.completion') ??
      indexedMessages(attrs, 'gen_ai.completion'),
    'assistant',
  );
  if (!prompt && !completion) return null;

  const inputs: Json = {};
  if (prompt) inputs.prompt = prompt.text;
  if (prompt?.messages) inputs.messages = prompt.messages;
  const instructions = attrs.get('gen_ai.system_instructions');
  if (instructions !== undefined) inputs.systemInstructions = parseMaybeJson(instructions);
  const model = attrs.get('gen_ai.request.model');
  if (model !== undefined) inputs.model = model;
  const outputs: Json = { response: completion?.text ?? '' };
  if (completion?.messages) outputs.messages = completion.messages;

  const metadata: Json = { spanId: span.spanId };
  if (span.parentSpanId) metadata.parentSpanId = span.parentSpanId;
  if (scopeName) metadata.scope = scopeName;
  for (const [key, value] of attrs) if (!CONTENT_KEY.test(key)) metadata[key] = value;

  const start = nanosToMs(span.startTimeUnixNano);
  const end = nanosToMs(span.endTimeUnixNano);
  const inputTokens = numberOr(attrs.get('gen_ai.usage.input_tokens') ?? attrs.get('gen_ai.usage.prompt_tokens'));
  const outputTokens = numberOr(attrs.get('gen_ai.usage.output_tokens') ?? attrs.get('gen_ai.usage.completion_tokens'));
  const trace: Json = {
    traceId: span.traceId,
    spanName: span.name,
    serviceName,
    inputs,
    outputs,
    metadata,
  };
  const spanId = normalizeId(span.spanId, 8);
  if (spanId) trace.spanId = spanId;
  const at = start ?? end;
  if (at !== null) trace.timestamp = new Date(Math.floor(at)).toISOString();
  if (start !== null && end !== null && end >= start) trace.latencyMs = end - start;
  if (inputTokens !== undefined || outputTokens !== undefined) {
    trace.usage = { promptTokens: Math.trunc(inputTokens ?? 0), completionTokens: Math.trunc(outputTokens ?? 0) };
  }
  return trace;
}

/** Splits an export request into trace inputs per project (resource attribute first, then the default). */
export function tracesFromOtlp(request: OtlpTraceRequest, defaultProjectId: string | undefined): OtlpConversion {
  const out: OtlpConversion = { byProject: new Map(), rejected: 0, firstError: null, withoutProject: 0, ignored: 0 };
  const reject = (reason: string) => {
    out.rejected++;
    out.firstError ??= reason;
  };
  for (const resourceSpans of request.resourceSpans) {
    const resource = attributeMap(resourceSpans.resource?.attributes ?? []);
    const named = resource.get(PROJECT_ATTRIBUTE);
    const projectId = typeof named === 'string' && named ? named : defaultProjectId;
    const serviceName = typeof resource.get('service.name') === 'string' ? String(resource.get('service.name')) : '';
    for (const scopeSpans of resourceSpans.scopeSpans) {
      for (const span of scopeSpans.spans) {
        const raw = spanToTrace(span, serviceName, scopeSpans.scope?.name);
        if (!raw) {
          out.ignored++;
          continue;
        }
        if (!projectId) {
          out.withoutProject++;
          continue;
        }
        const traceId = normalizeId(span.traceId, 16);
        if (!traceId) {
          reject(`span ${span.spanId || span.name}: traceId must be 32 hex characters`);
          continue;
        }
        const parsed = TraceInput.safeParse({ ...raw, traceId });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          reject(`span ${span.spanId || span.name}: ${issue?.path.join('.')} ${issue?.message}`);
          continue;
        }
        const list = out.byProject.get(projectId) ?? [];
        list.push(parsed.data);
        out.byProject.set(projectId, list);
      }
    }
  }
  return out;
}
