import type { AwsClients } from './clients.js';
import { DynamoApiKeyRepository, DynamoIdempotencyStore } from './dynamo/api-keys.js';
import { DynamoBatchManifestRepository } from './dynamo/batches.js';
import { DynamoMetricRepository } from './dynamo/metrics.js';
import { DynamoProjectRepository } from './dynamo/projects.js';
import { DynamoRecordRepository, DynamoScoreRepository } from './dynamo/records.js';
import { DynamoRunRepository } from './dynamo/runs.js';
import { DynamoSystemRepository } from './dynamo/systems.js';
import { Table } from './dynamo/table.js';
import { DynamoTestcaseRepository, DynamoTestsetRepository } from './dynamo/testsets.js';
import { S3BlobStore } from './s3-blob-store.js';

/** Every DynamoDB/S3-backed port, wired once per process from the clients and resource names. */
export function createRepositories(clients: AwsClients, names: { tableName: string; bucketName: string }) {
  const blobs = new S3BlobStore(clients.s3, names.bucketName);
  const table = new Table(clients.documents, names.tableName, blobs);
  return {
    table,
    blobs,
    apiKeys: new DynamoApiKeyRepository(table),
    idempotency: new DynamoIdempotencyStore(table),
    projects: new DynamoProjectRepository(table),
    testsets: new DynamoTestsetRepository(table),
    testcases: new DynamoTestcaseRepository(table),
    metrics: new DynamoMetricRepository(table),
    systems: new DynamoSystemRepository(table),
    runs: new DynamoRunRepository(table),
    records: new DynamoRecordRepository(table),
    scores: new DynamoScoreRepository(table),
    batches: new DynamoBatchManifestRepository(table),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;
