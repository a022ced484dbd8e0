import * as z from 'zod';

/** Our ids are lowercase ULIDs (26 chars); Scorecard clients treat them as opaque strings. */
export const Id = z.string().min(1).max(64).meta({ description: 'Opaque id', example: '01jd3k8m0f4q2w6e8r0t2y4u6i' });

export const Json = z.record(z.string(), z.unknown());

/**
 * The numbers a typed numeric field can hold. JSON documents (testcases, outputs, schemas) are stored as text
 * and keep any number; but fields such as latencyMs or floatScore are stored as DynamoDB numbers, which hold
 * magnitudes from 1e-130 to 1e126 only, and come back as JavaScript numbers exactly only up to 2^53. So: 0, or
 * a magnitude from 1e-100 to Number.MAX_SAFE_INTEGER.
 */
export const MIN_STORED_MAGNITUDE = 1e-100;
export const STORED_NUMBER_RANGE = `must be 0 or a number whose magnitude is between ${MIN_STORED_MAGNITUDE} and ${Number.MAX_SAFE_INTEGER}`;

export function isStorableNumber(x: number): boolean {
  const magnitude = Math.abs(x);
  return x === 0 || (magnitude >= MIN_STORED_MAGNITUDE && magnitude <= Number.MAX_SAFE_INTEGER);
}

/** A number for a typed field (see isStorableNumber); chain .min()/.max()/.int() for the field's own rules. */
export const StoredNumber = z.number().refine(isStorableNumber, { message: STORED_NUMBER_RANGE, abort: true });

/** Why a value produced at run time cannot go into a typed numeric field, or null when it can. */
export function storedNumberProblem(field: string, value: number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return Number.isFinite(value) && isStorableNumber(value) ? null : `${field} ${value} ${STORED_NUMBER_RANGE}`;
}
export type Json = z.infer<typeof Json>;

export const Name = z.string().trim().min(1, 'must not be empty').max(200);
export const Description = z.string().max(10_000).default('');

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Page size, 1–100' }),
  cursor: z.string().max(2_000).optional().meta({ description: 'Opaque cursor from the previous page' }),
});
export type ListQuery = z.infer<typeof ListQuery>;

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  hasMore: boolean;
  total?: number;
}

export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      data: z.array(item),
      nextCursor: z.string().nullable(),
      hasMore: z.boolean(),
      total: z.number().int().optional(),
    })
    .meta({ id });

export const Success = z.object({ success: z.literal(true) }).meta({ id: 'Success' });

export const FieldIssue = z
  .object({
    path: z.string().meta({ description: 'The field, dotted (`config.model`, `metricIds.0`, `query.limit`)' }),
    message: z.string(),
  })
  .meta({ id: 'FieldIssue' });

/** Scorecard's error shape: `details` is an object (`{}` when empty), never an array. */
export const ErrorBody = z
  .object({
    code: z.string(),
    message: z.string(),
    details: z
      .object({ issues: z.array(FieldIssue).optional().meta({ description: 'The fields the request got wrong' }) })
      .catchall(z.unknown()),
  })
  .meta({ id: 'Error' });
