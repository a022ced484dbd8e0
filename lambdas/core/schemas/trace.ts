import * as z from 'zod';
import { Json, StoredNumber } from './common.js';
import { Usage } from './record.js';

/** Ids sort below "~" so "<timestamp>#<traceId>#~" bounds a time range in the trace index. */
const TraceIdent = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may contain only letters, digits and _ . : -');

// Strict: a misspelt field (`expect`, `output`) would otherwise vanish and the metric that reads it fail quietly.
export const TraceInput = z
  .strictObject({
    traceId: TraceIdent.meta({ description: 'Sampling is by trace: every span of a trace is in or out together' }),
    spanId: TraceIdent.optional().meta({
      description: 'Tells interactions of one trace apart (default: one per trace)',
    }),
    spanName: z.string().max(256).default(''),
    serviceName: z.string().max(256).default(''),
    inputs: Json.default({}),
    outputs: Json.default({}).meta({ description: 'Heuristic metrics read outputs.response by default' }),
    expected: Json.default({}).meta({
      description: 'Expected outputs, when known (e.g. a labelled production case): metrics see them as expected',
    }),
    metadata: Json.default({}),
    timestamp: z.iso.datetime({ offset: true }).optional().meta({ description: 'When it happened (default: now)' }),
    latencyMs: StoredNumber.min(0).nullish(),
    usage: Usage.nullish(),
    costUsd: StoredNumber.min(0).nullish(),
  })
  .meta({ id: 'TraceInput' });
export type TraceInput = z.infer<typeof TraceInput>;

export const MAX_TRACES_PER_REQUEST = 500;

export const IngestTraces = z
  .object({
    items: z
      .array(TraceInput)
      .min(1, `needs 1 to ${MAX_TRACES_PER_REQUEST} items`)
      .max(MAX_TRACES_PER_REQUEST, `needs 1 to ${MAX_TRACES_PER_REQUEST} items`),
    ttlDays: z.number().int().min(1).max(365).default(30).meta({ description: 'Days the traces are kept' }),
  })
  .meta({ id: 'IngestTraces' });

export const IngestResult = z
  .object({ accepted: z.number().int(), expiresAt: z.string() })
  .meta({ id: 'IngestResult' });

/** A stored production interaction. */
export interface Trace {
  projectId: string;
  traceId: string;
  spanId: string;
  spanName: string;
  serviceName: string;
  inputs: Json;
  outputs: Json;
  /** Absent on traces stored before traces carried expected outputs. */
  expected?: Json;
  metadata: Json;
  /** ISO 8601, UTC, millisecond precision. */
  timestamp: string;
  latencyMs: number | null;
  usage: Usage | null;
  costUsd: number | null;
  /** Epoch seconds: DynamoDB's TTL removes the trace after this. */
  expiresAt: number;
}
