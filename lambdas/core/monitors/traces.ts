import type { Scope } from '../ports.js';
import type { Trace, TraceInput } from '../schemas/trace.js';
import { type CoreDeps, requireProject } from '../services/deps.js';
import type { TraceRepository } from './ports.js';

/** A trace posted without a spanId is one interaction: its only span gets this id. */
export const DEFAULT_SPAN_ID = '-';
export const DEFAULT_TRACE_TTL_DAYS = 30;

export function buildTrace(projectId: string, input: TraceInput, now: Date, ttlDays: number): Trace {
  return {
    projectId,
    traceId: input.traceId,
    spanId: input.spanId ?? DEFAULT_SPAN_ID,
    spanName: input.spanName,
    serviceName: input.serviceName,
    inputs: input.inputs,
    outputs: input.outputs,
    expected: input.expected,
    metadata: input.metadata,
    timestamp: new Date(input.timestamp ?? now).toISOString(),
    latencyMs: input.latencyMs ?? null,
    usage: input.usage ?? null,
    costUsd: input.costUsd ?? null,
    expiresAt: Math.floor(now.getTime() / 1000) + ttlDays * 86_400,
  };
}

/**
 * Stores production interactions for monitors. A trace is keyed by (project, traceId, spanId), so posting it
 * again replaces it: clients may retry freely.
 */
export async function ingestTraces(
  deps: CoreDeps & { traces: TraceRepository },
  scope: Scope,
  projectId: string,
  items: TraceInput[],
  options: { now: Date; ttlDays?: number },
) {
  await requireProject(deps, scope, projectId);
  const ttlDays = options.ttlDays ?? DEFAULT_TRACE_TTL_DAYS;
  const traces = items.map((item) => buildTrace(projectId, item, options.now, ttlDays));
  await deps.traces.putMany(scope, traces);
  const expiresAt = new Date((Math.floor(options.now.getTime() / 1000) + ttlDays * 86_400) * 1000).toISOString();
  return { accepted: traces.length, expiresAt };
}
