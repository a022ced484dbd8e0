import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../lambdas/aws/table-definition.js';
import { acknowledge } from './nag.js';

export interface StorageProps {
  tableDeletionProtection: boolean;
  /** How long `exports/` objects (presigned run exports) live before S3 deletes them. */
  exportExpiration: Duration;
}

const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

/** Where Verdict keeps its data: the one table, the bucket for exports and overflow, and the two secrets. */
export class Storage extends Construct {
  readonly table: Table;
  readonly bucket: Bucket;
  /** The key for the OpenAI-compatible endpoint used by AI metrics and openai_chat systems (set after deploy). */
  readonly llmApiKey: Secret;
  /** Signs pagination cursors, so a client cannot forge one that reads past its scope. */
  readonly cursorSigningKey: Secret;
  /** How long export files are kept; export items in the table expire after the same time. */
  readonly exportExpiration: Duration;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.exportExpiration = props.exportExpiration;

    // Declared from the same object the local stack creates its table from, so the two cannot drift.
    this.table = new Table(this, 'Table', {
      partitionKey: stringKey(TABLE_DEFINITION.partitionKey),
      sortKey: stringKey(TABLE_DEFINITION.sortKey),
      timeToLiveAttribute: TABLE_DEFINITION.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.tableDeletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_DEFINITION.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-exports', prefix: 'exports/', expiration: props.exportExpiration },
        // lib-storage uploads large bodies in parts; parts of an upload that died would otherwise be billed forever.
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Only this stack’s Lambdas write the bucket (DynamoDB overflow, run exports) and clients read exports ' +
        'through short-lived presigned URLs; object-level access is audited with CloudTrail data events when ' +
        'needed, and a separate access-log bucket would itself need this exception.',
    );

    this.llmApiKey = new Secret(this, 'LlmApiKey', {
      description: 'Verdict: API key of the OpenAI-compatible LLM endpoint (set with put-secret-value after deploy)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.llmApiKey,
      'AwsSolutions-SMG4',
      'The LLM provider issues this key; a rotation Lambda cannot mint a new one. Operators rotate it at the ' +
        'provider and store it with put-secret-value (docs/deploy.md).',
    );

    this.cursorSigningKey = new Secret(this, 'CursorSigningKey', {
      description: 'Verdict: HMAC key that signs pagination cursors',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    acknowledge(
      this.cursorSigningKey,
      'AwsSolutions-SMG4',
      'It signs opaque pagination cursors only; rotating it just invalidates cursors in flight, so it is ' +
        'rotated by hand when needed (docs/deploy.md) rather than on a schedule.',
    );
  }
}
