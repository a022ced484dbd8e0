import type { CoreDeps } from '../deps.js';
import { notFound, VerdictError } from '../errors.js';
import { RESPONSE_BUDGET_BYTES, responseBytes } from '../pagination.js';
import type { Scope } from '../ports.js';
import {
  type LargeFieldLink,
  type OmittedField,
  RecordDocumentField,
  type RecordWithScores,
} from '../schemas/record.js';

/** How long a link to a record's large fields works; `GET /records/{id}/fields/{field}` gives a fresh one. */
export const LARGE_FIELD_LINK_SECONDS = 900;

type FitDeps = Pick<CoreDeps, 'records' | 'now'>;

/**
 * Records as a response can carry them. A page already stops before its records pass the budget, but one record
 * can pass it alone (an executed system's reply is not bounded; its fields overflow to S3 and come back whole).
 * Such a record keeps its small fields, and its largest document fields, as many as needed to fit, are replaced
 * by `{"$omitted": {field, bytes, url, …}}` and listed in `omittedFields`: the answer says what was left out and
 * where the whole value is, instead of Lambda refusing the response (API Gateway's 502).
 */
export async function fitRecordsInResponse<R extends RecordWithScores>(
  deps: FitDeps,
  scope: Scope,
  records: R[],
  maxBytes = RESPONSE_BUDGET_BYTES,
): Promise<R[]> {
  return Promise.all(records.map((record) => fitRecord(deps, scope, record, maxBytes)));
}

async function fitRecord<R extends RecordWithScores>(deps: FitDeps, scope: Scope, record: R, maxBytes: number) {
  // The brackets of the page's array around it.
  let size = responseBytes(record) + 2;
  if (size <= maxBytes) return record;
  const link = await largeFieldLink(deps, scope, record.id);
  if (!link) return record;
  const bySize = RecordDocumentField.options
    .map((field) => ({ field, bytes: Buffer.byteLength(JSON.stringify(record[field]) ?? '') }))
    .sort((a, b) => b.bytes - a.bytes);
  const fitted: R = { ...record, omittedFields: [] };
  for (const { field, bytes } of bySize) {
    if (size <= maxBytes) break;
    const omitted: OmittedField = { ...link(field), bytes };
    fitted[field] = { $omitted: omitted };
    fitted.omittedFields!.push(omitted);
    size = responseBytes(fitted) + 2;
  }
  return fitted;
}

async function largeFieldLink(deps: FitDeps, scope: Scope, recordId: string) {
  const now = deps.now ? deps.now() : new Date();
  const link = await deps.records.largeFieldsLink(scope, recordId, LARGE_FIELD_LINK_SECONDS, now);
  if (!link) return null;
  return (field: RecordDocumentField): LargeFieldLink => ({
    recordId,
    field,
    url: link.url,
    expiresAt: link.expiresAt.toISOString(),
    href: `/api/v2/records/${encodeURIComponent(recordId)}/fields/${field}`,
  });
}

/** A fresh link to one of a record's document fields; 404 when the record is not found, 409 when it is stored inline. */
export async function recordFieldLink(
  deps: FitDeps,
  scope: Scope,
  recordId: string,
  field: RecordDocumentField,
): Promise<LargeFieldLink> {
  const link = await largeFieldLink(deps, scope, recordId);
  if (link) return link(field);
  if (!(await deps.records.get(scope, recordId))) throw notFound('record', recordId);
  throw new VerdictError(
    409,
    'field_inline',
    `record ${recordId} keeps ${field} inline: GET /records/${recordId} returns it whole`,
    [{ path: 'field', message: 'is stored with the record, not apart' }],
  );
}
