import * as z from 'zod';
import { Id, Json, StoredNumber } from './common.js';

export const RecordStatus = z.enum(['pending', 'running', 'completed', 'errored']);
export type RecordStatus = z.infer<typeof RecordStatus>;

export const Usage = z.object({ promptTokens: z.number().int().min(0), completionTokens: z.number().int().min(0) });
export type Usage = z.infer<typeof Usage>;

export const ScoreValue = z
  .object({
    binaryScore: z.boolean().optional(),
    intScore: z.number().int().optional(),
    floatScore: StoredNumber.optional(),
    reasoning: z.string().max(100_000).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'ScoreValue', description: 'One of binaryScore, intScore or floatScore, with the reasoning' });
export type ScoreValue = z.infer<typeof ScoreValue>;

export const ScoreStatus = z.enum(['pending', 'completed', 'errored']);

export const Score = z
  .object({
    recordId: Id,
    metricConfigId: Id.meta({ description: 'The metric version id' }),
    metricId: Id,
    score: ScoreValue,
    passed: z.boolean().nullable(),
    status: ScoreStatus,
    error: z.string().nullable(),
    usage: Usage.nullable(),
    latencyMs: z.number().nullable(),
    rawReply: z.string().nullable().optional(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Score' });
export type Score = z.infer<typeof Score>;

export const UpsertScore = z.object({ score: ScoreValue }).meta({ id: 'UpsertScore' });

/** The production trace a record came from: set by monitors on sampled traces, or by whoever posts the record. */
export const RecordTraceId = z
  .string()
  .min(1)
  .max(128)
  .meta({ description: 'The trace (OpenTelemetry or your own id) this record was taken from' });

export const RunRecord = z
  .object({
    id: Id,
    runId: Id,
    testcaseId: Id.optional().meta({ description: 'Absent when the record has no testcase (inline or traced)' }),
    inputs: Json,
    expected: Json,
    outputs: Json,
    status: RecordStatus,
    error: z.string().nullable(),
    latencyMs: z.number().nullable(),
    usage: Usage.nullable(),
    costUsd: z.number().nullable(),
    trial: z.number().int(),
    traceId: RecordTraceId.optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'Record' });
export type RunRecord = z.infer<typeof RunRecord>;

/** The record's JSON documents: the fields that can grow past what one response may carry. */
export const RecordDocumentField = z.enum(['inputs', 'expected', 'outputs']);
export type RecordDocumentField = z.infer<typeof RecordDocumentField>;

/** Where to fetch a document field that was left out of a response because the record alone was too large for it. */
export const LargeFieldLink = z
  .object({
    recordId: Id,
    field: RecordDocumentField,
    url: z.string().meta({
      description:
        'Presigned GET of the record’s large fields as one JSON object ({inputs, expected, outputs}); this field ' +
        'is the value under its name. No Authorization header: the link carries its own signature.',
    }),
    expiresAt: z.string().meta({ description: 'When the link stops working; GET `href` for a fresh one' }),
    href: z.string().meta({ description: 'API path answering a fresh link: /api/v2/records/{id}/fields/{field}' }),
  })
  .meta({ id: 'LargeFieldLink' });
export type LargeFieldLink = z.infer<typeof LargeFieldLink>;

export const OmittedField = LargeFieldLink.extend({
  bytes: z.number().int().meta({ description: 'Size of the field’s JSON text in UTF-8 bytes' }),
}).meta({
  id: 'OmittedField',
  description:
    'A field left out because the record alone would pass the response budget (5,000,000 bytes: Lambda answers ' +
    'at most 6 MB). In the record the field holds `{"$omitted": <this object>}` instead of its value.',
});
export type OmittedField = z.infer<typeof OmittedField>;

export const RecordWithScores = RunRecord.extend({
  scores: z.array(Score),
  omittedFields: z.array(OmittedField).optional().meta({
    description: 'Present only when the record alone was too large for a response: the fields left out, largest first',
  }),
}).meta({ id: 'RecordWithScores' });
export type RecordWithScores = z.infer<typeof RecordWithScores>;

export const CreateRecord = z
  .object({
    testcaseId: Id.nullish(),
    inputs: Json.default({}),
    expected: Json.default({}),
    outputs: Json.default({}),
    error: z.string().max(10_000).nullish().meta({ description: 'Set when the system failed: the record is errored' }),
    latencyMs: StoredNumber.min(0).nullish(),
    usage: Usage.nullish(),
    costUsd: StoredNumber.min(0).nullish(),
    trial: z.number().int().min(0).optional().meta({
      description: "Which run of its testcase this is; left out, a testcase's records are numbered as they arrive",
    }),
    traceId: RecordTraceId.optional(),
  })
  .meta({ id: 'CreateRecord' });
export type CreateRecord = z.infer<typeof CreateRecord>;
