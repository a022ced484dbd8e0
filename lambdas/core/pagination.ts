import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from './errors.js';

/**
 * Opaque, signed list cursors. A cursor names the last sort key a client saw and the list it belongs to; the
 * HMAC stops a client from forging positions or replaying a cursor against another list.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('cursor secret must be at least 16 characters');
  }

  encode(scope: string, after: string): string {
    const body = Buffer.from(JSON.stringify({ a: after })).toString('base64url');
    return `${body}.${this.sign(scope, body)}`;
  }

  /** Returns the position after which the next page starts, or throws a 400 naming `cursor`. */
  decode(scope: string, cursor: string): string {
    const invalid = () =>
      badRequest('cursor is invalid', [{ path: 'cursor', message: 'is not a cursor this list issued' }]);
    const [body, signature, extra] = cursor.split('.');
    if (!body || !signature || extra !== undefined) throw invalid();
    const expected = Buffer.from(this.sign(scope, body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    try {
      const parsed: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      if (typeof parsed === 'object' && parsed && 'a' in parsed && typeof parsed.a === 'string') return parsed.a;
    } catch {
      // fall through: signed but malformed cannot happen unless the secret leaked
    }
    throw invalid();
  }

  private sign(scope: string, body: string): string {
    return createHmac('sha256', this.secret).update(scope).update('\n').update(body).digest('base64url').slice(0, 32);
  }
}

/** A page request after the cursor has been decoded: where to start and how many. */
export interface PageRequest {
  limit: number;
  after?: string;
  /**
   * Stop the page before its records pass this many bytes of response (see `RESPONSE_BUDGET_BYTES`); the page
   * then has fewer than `limit` items and a cursor after the last one. Always at least one item.
   */
  maxBytes?: number;
}

/**
 * Lambda refuses a response over 6 MB (API Gateway then answers 502), counted on the invocation's JSON, where the
 * body is a string: every quote and backslash of it escaped again. Pages of records, whose overflowed fields
 * come back whole from S3, stop at 5,000,000 bytes measured that way, leaving room for headers and the envelope.
 */
export const RESPONSE_BUDGET_BYTES = 5_000_000;

const utf8 = new TextEncoder();

/** The bytes `value` takes in a Lambda response body, as the body is escaped inside the response's JSON. */
export function responseBytes(value: unknown): number {
  return utf8.encode(JSON.stringify(JSON.stringify(value))).byteLength - 2;
}

/**
 * How many of `items`, from the first, fit in `maxBytes` of a Lambda response body (at least one: a record too
 * large alone is answered with its largest fields left out, see `fitRecordsInResponse`).
 */
export function itemsWithinBytes(items: readonly unknown[], maxBytes: number | undefined): number {
  if (maxBytes === undefined) return items.length;
  let used = 2; // the array's brackets; the page's other fields are in the headroom
  for (let i = 0; i < items.length; i++) {
    used += responseBytes(items[i]) + 1;
    if (used > maxBytes) return Math.max(1, i);
  }
  return items.length;
}
