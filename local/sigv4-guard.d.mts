import type { IncomingMessage, Server } from 'node:http';

export interface SigV4GuardOptions {
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** The signing name: dynamodb, sqs or s3 (which also picks the error format). */
  service: 'dynamodb' | 'sqs' | 's3';
  /** false for S3, whose paths are signed as sent rather than escaped again. */
  uriEscapePath?: boolean;
  now?: () => number;
}

export interface SigV4Refusal {
  kind: 'missing' | 'malformed' | 'unknown-key' | 'signature' | 'skew' | 'expired';
  message: string;
}

export function sigV4Verifier(options: SigV4GuardOptions): (req: IncomingMessage) => Promise<SigV4Refusal | null>;
export function requireSigV4<S extends Server>(server: S, options: SigV4GuardOptions): S;
