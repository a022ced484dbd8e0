import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { documentClient } from './dynamo/documents.js';

/** Where the AWS clients point: real AWS (no endpoints) or the local emulators. */
export interface AwsEndpoints {
  region: string;
  dynamodb?: string;
  s3?: string;
  sqs?: string;
  /** Required with local endpoints: the emulators accept only requests signed with their data dir's key. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

// Local emulators are reached over plain HTTP; keep-alive avoids a TCP handshake per call.
const localHandler = () =>
  new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }), requestTimeout: 30_000 });

export function createAwsClients(endpoints: AwsEndpoints) {
  // Without them the SDK would sign with whatever the environment holds, and the emulators would refuse it.
  if ((endpoints.dynamodb || endpoints.s3 || endpoints.sqs) && !endpoints.credentials) {
    throw new Error('local AWS endpoints need the credentials of their emulators');
  }
  const base = { region: endpoints.region, credentials: endpoints.credentials };
  const dynamo = new DynamoDBClient({
    ...base,
    // Resolve each command class's middleware once, not per call (nothing here adds middleware per command).
    cacheMiddleware: true,
    endpoint: endpoints.dynamodb,
    ...(endpoints.dynamodb ? { requestHandler: localHandler() } : {}),
  });
  return {
    dynamo,
    documents: documentClient(dynamo),
    s3: new S3Client({
      ...base,
      endpoint: endpoints.s3,
      forcePathStyle: Boolean(endpoints.s3),
      // s3rver does not understand the SDK's default flexible checksums.
      ...(endpoints.s3
        ? {
            requestChecksumCalculation: 'WHEN_REQUIRED' as const,
            responseChecksumValidation: 'WHEN_REQUIRED' as const,
            requestHandler: localHandler(),
          }
        : {}),
    }),
    sqs: new SQSClient({
      ...base,
      endpoint: endpoints.sqs,
      ...(endpoints.sqs ? { requestHandler: localHandler() } : {}),
    }),
  };
}
export type AwsClients = ReturnType<typeof createAwsClients>;
