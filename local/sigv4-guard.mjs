// Refuses every request to a local emulator that is not AWS SigV4-signed with the data dir's credentials, before
// the emulator sees it: dynalite and fauxqs check nothing, and s3rver does not verify V4 signatures. Plain JS,
// because dynalite runs on a worker thread and worker threads don't inherit TS loaders.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** AWS's limits: a signed request may be 15 minutes off the server's clock; a presigned link lives ≤ 7 days. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 60 * 60;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const CONTENT_SHA256 = 'x-amz-content-sha256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** Query parameters that presign() adds itself; everything else in the query was signed as it stands. */
const PRESIGN_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
];
const HEADER_AUTH = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** SHA-256 and HMAC-SHA256 on node:crypto, in the shape SignatureV4 asks for (`new Sha256(secret?)`). */
class Sha256 {
  constructor(secret) {
    this.secret = secret;
    this.reset();
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}

class Refusal {
  /** @param {'missing' | 'malformed' | 'unknown-key' | 'signature' | 'skew' | 'expired'} kind */
  constructor(kind, message) {
    this.kind = kind;
    this.message = message;
  }
}
const refuse = (kind, message) => {
  throw new Refusal(kind, message);
};

/** `20240131T235959Z` → Date, or undefined. */
function parseAmzDate(value) {
  const m = typeof value === 'string' && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The query as the signer saw it: decoded values (the signer re-escapes them), repeated keys as arrays. */
function parseQuery(raw) {
  const query = {};
  if (!raw) return query;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    const seen = query[key];
    query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}

const one = (value) => (Array.isArray(value) ? undefined : value);

function sameSignature(expected, received) {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A verifier for one emulator: `verify(req)` resolves to null when the request is signed with `credentials` for
 * `region`/`service`, in the Authorization header or as a presigned query, else to {kind, message}.
 *
 * Why the payload hash comes from `x-amz-content-sha256` and the body is never read: our SDK clients send that
 * header, signed, on every call (S3 always; DynamoDB and SQS through SignatureV4's default `applyChecksum`), so
 * the signature binds the claimed hash and forging a request needs the secret. Hashing the body ourselves would
 * mean buffering every body and replaying it to the emulator, a copy and a second hash per DynamoDB call on the
 * path the run pipeline is CPU-bound on; it would only catch a body swapped under a valid signature, which takes
 * someone rewriting loopback traffic in flight. A header-signed request without the header is refused.
 */
export function sigV4Verifier({ credentials, region, service, uriEscapePath = true, now = Date.now }) {
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath });

  function checkAccessKey(credential) {
    if (credential?.split('/')[0] !== credentials.accessKeyId) {
      refuse('unknown-key', 'the access key id is not the one of this data dir');
    }
  }

  function signedHeaderNames(list) {
    const names = list.split(';');
    if (!names.includes('host')) refuse('malformed', 'the host header must be signed');
    return names;
  }

  /** The signed headers as received; one that is listed but absent cannot have been what was signed. */
  function pickHeaders(req, names) {
    const headers = {};
    for (const name of names) {
      const value = req.headers[name];
      if (value === undefined) refuse('signature', `the signed header ${name} is missing`);
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    return headers;
  }

  async function verifyHeader(req, path, query, authorization) {
    const m = HEADER_AUTH.exec(authorization.trim());
    if (!m) refuse('malformed', `the Authorization header is not in the ${ALGORITHM} form`);
    const [, credential, signedHeaders, signature] = m;
    checkAccessKey(credential);
    const date = parseAmzDate(req.headers['x-amz-date']);
    if (!date) refuse('malformed', 'X-Amz-Date is missing or not in the form 20240131T235959Z');
    if (Math.abs(now() - date.getTime()) > MAX_SKEW_MS) {
      refuse('skew', 'the request was signed more than 15 minutes away from the server time');
    }
    const payloadHash = req.headers[CONTENT_SHA256];
    if (typeof payloadHash !== 'string') refuse('malformed', `the ${CONTENT_SHA256} header is required`);
    const names = signedHeaderNames(signedHeaders);
    const headers = { ...pickHeaders(req, names), [CONTENT_SHA256]: payloadHash };
    const signed = await signer.sign(
      { method: req.method, protocol: 'http:', hostname: 'localhost', path, query, headers },
      {
        signingDate: date,
        signableHeaders: new Set(names),
        unsignableHeaders: names.includes(CONTENT_SHA256) ? undefined : new Set([CONTENT_SHA256]),
      },
    );
    const expected = /SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(signed.headers.authorization);
    if (!expected || expected[1] !== signedHeaders || !sameSignature(expected[2], signature)) {
      refuse('signature', 'the request signature does not match');
    }
  }

  async function verifyPresigned(req, path, query) {
    const param = (name) => one(query[name]);
    if (param('X-Amz-Algorithm') !== ALGORITHM) refuse('malformed', `X-Amz-Algorithm must be ${ALGORITHM}`);
    checkAccessKey(param('X-Amz-Credential'));
    const date = parseAmzDate(param('X-Amz-Date'));
    if (!date) refuse('malformed', 'X-Amz-Date is missing or not in the form 20240131T235959Z');
    const expiresIn = Number(param('X-Amz-Expires'));
    if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGNED_SECONDS) {
      refuse('malformed', `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_SECONDS}`);
    }
    if (date.getTime() - now() > MAX_SKEW_MS) refuse('skew', 'the link is not valid yet');
    if (now() > date.getTime() + expiresIn * 1000) refuse('expired', 'Request has expired');
    const signedHeaders = param('X-Amz-SignedHeaders');
    const signature = param('X-Amz-Signature');
    if (!signedHeaders || !signature) refuse('malformed', 'X-Amz-SignedHeaders and X-Amz-Signature are required');
    const names = signedHeaderNames(signedHeaders);

    const rest = { ...query };
    for (const name of PRESIGN_PARAMS) delete rest[name];
    // presign() takes the payload hash from a header and hoists it into the query under the name it had; without
    // one, S3 presigned links stand for an unsigned payload.
    const headers = pickHeaders(req, names);
    const shaKey = Object.keys(rest).find((key) => key.toLowerCase() === CONTENT_SHA256);
    const unsignableHeaders = new Set();
    if (shaKey) {
      headers[shaKey] = rest[shaKey];
      delete rest[shaKey];
    } else {
      headers[CONTENT_SHA256] = UNSIGNED_PAYLOAD;
      unsignableHeaders.add(CONTENT_SHA256);
    }
    const signed = await signer.presign(
      { method: req.method, protocol: 'http:', hostname: 'localhost', path, query: rest, headers },
      {
        signingDate: date,
        expiresIn,
        signableHeaders: new Set(names),
        unhoistableHeaders: new Set([...names, ...unsignableHeaders]),
        unsignableHeaders,
      },
    );
    if (
      signed.query['X-Amz-SignedHeaders'] !== signedHeaders ||
      signed.query['X-Amz-Credential'] !== param('X-Amz-Credential') ||
      !sameSignature(signed.query['X-Amz-Signature'], signature)
    ) {
      refuse('signature', 'the request signature does not match');
    }
  }

  return async function verify(req) {
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
      const authorization = req.headers.authorization;
      const presigned = 'X-Amz-Algorithm' in query;
      if (authorization && presigned) refuse('malformed', 'a request is signed in its header or its query, not both');
      if (authorization) await verifyHeader(req, path, query, authorization);
      else if (presigned) await verifyPresigned(req, path, query);
      else refuse('missing', 'the request is not signed (AWS SigV4 with the credentials of this data dir)');
      return null;
    } catch (error) {
      if (error instanceof Refusal) return { kind: error.kind, message: error.message };
      return { kind: 'malformed', message: error instanceof Error ? error.message : String(error) };
    }
  };
}

/** Error bodies as each service's SDK parses them, so a refused call fails with a readable AWS error. */
const JSON_CODES = {
  missing: 'MissingAuthenticationTokenException',
  malformed: 'IncompleteSignatureException',
  'unknown-key': 'UnrecognizedClientException',
  signature: 'InvalidSignatureException',
  skew: 'InvalidSignatureException',
  expired: 'InvalidSignatureException',
};
const S3_CODES = {
  missing: 'AccessDenied',
  malformed: 'AccessDenied',
  'unknown-key': 'InvalidAccessKeyId',
  signature: 'SignatureDoesNotMatch',
  skew: 'RequestTimeTooSkewed',
  expired: 'AccessDenied',
};
const escapeXml = (text) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function refusalBody(service, { kind, message }) {
  if (service === 's3') {
    return {
      type: 'application/xml',
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${S3_CODES[kind]}</Code><Message>${escapeXml(message)}</Message></Error>`,
    };
  }
  return {
    type: 'application/x-amz-json-1.0',
    body: JSON.stringify({ __type: `com.amazon.coral.service#${JSON_CODES[kind]}`, message }),
  };
}

/**
 * Puts the verifier in front of the server's own 'request' listeners, in-process (no proxy hop): a refused
 * request gets a 403 and never reaches the emulator; its body is not read and the connection is closed.
 * Call it before the server listens.
 */
export function requireSigV4(server, options) {
  const verify = sigV4Verifier(options);
  const listeners = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    verify(req).then((refusal) => {
      if (!refusal) {
        for (const listener of listeners) listener.call(server, req, res);
        return;
      }
      const { type, body } = refusalBody(options.service, refusal);
      res.writeHead(403, { 'content-type': type, 'content-length': Buffer.byteLength(body), connection: 'close' });
      res.end(body);
    });
  });
  return server;
}
