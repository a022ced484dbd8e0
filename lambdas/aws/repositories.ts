import type { AwsClients } from './clients.js';
import { DynamoApiKeyRepository, DynamoIdempotencyStore } from './dynamo/api-keys.js';
import { DynamoBatchManifestRepository } from './dynamo/batches.js';
import { DynamoExportRepository } from './dynamo/exports.js';
import { DynamoMetricRepository } from './dynamo/metrics.js';
import { DynamoMonitorRepository } from './dynamo/monitors.js';
import { DynamoPermitStore } from './dynamo/permits.js';
import { DynamoProjectRepository } from './dynamo/projects.js';
import { DynamoRecordSearch } from './dynamo/record-search.js';
import { DynamoRecordRepository, DynamoScoreRepository } from './dynamo/records.js';
import { DynamoRunRepository } from './dynamo/runs.js';
import { DynamoSystemRepository } from './dynamo/systems.js';
import { Table } from './dynamo/table.js';
import { DynamoTestcaseRepository, DynamoTestsetRepository } from './dynamo/testsets.js';
import { DynamoTraceRepository } from './dynamo/traces.js';
import { S3BlobStore } from './s3-blob-store.js';
import { S3ExportFiles } from './s3-export-files.js';

/** Every DynamoDB/S3-backed port, wired once per process from the clients and resource names. */
export function createRepositories(
  clients: AwsClients,
  names: { tableName: string; bucketName: string; exportRetentionDays?: number },
) {
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
    recordSearch: new DynamoRecordSearch(table),
    exports: new DynamoExportRepository(table, names.exportRetentionDays),
    exportFiles: new S3ExportFiles(clients.s3, names.bucketName),
    batches: new DynamoBatchManifestRepository(table),
    permits: new DynamoPermitStore(table),
    monitors: new DynamoMonitorRepository(table),
    traces: new DynamoTraceRepository(table),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;
