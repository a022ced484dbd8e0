import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_DEFINITIONS, type QueueRole } from '../../lambdas/aws/queue-definitions.js';
import { TABLE_DEFINITION } from '../../lambdas/aws/table-definition.js';
import { listPlaceholders } from '../../lambdas/core/workflow/substitute.js';
import { Storage } from '../../lib/constructs/storage.js';
import {
  entryExists,
  LAMBDA_ENTRIES,
  LAMBDA_NAMES,
  type LambdaName,
  RUN_EVALUATION_ASL_PATH,
} from '../../lib/lambda-entries.js';
import { referencedLogicalIds, type SynthesizedVerdict, synthesizeVerdict } from './support/synth.js';

// The one synthesis in the suite that bundles: handlers that exist are built by NodejsFunction with esbuild.
let synth: SynthesizedVerdict;
let template: Template;
// Bundling every Lambda takes tens of seconds on a busy 2-core machine.
beforeAll(() => {
  synth = synthesizeVerdict({ lambdaCode: 'bundle-existing' });
  template = synth.template;
}, 240_000);
afterAll(() => synth?.cleanup());

const resource = (id: string) => template.toJSON().Resources[id];

describe('storage', () => {
  it('declares the table from TABLE_DEFINITION: on demand, point-in-time recovery, TTL, deletion protection, retained', () => {
    const table = resource(synth.logicalId(synth.stack.storage.table));
    const keys = (pk: string, sk: string) => [
      { AttributeName: pk, KeyType: 'HASH' },
      { AttributeName: sk, KeyType: 'RANGE' },
    ];

    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.ttlAttribute, Enabled: true },
      KeySchema: keys(TABLE_DEFINITION.partitionKey, TABLE_DEFINITION.sortKey),
    });
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      TABLE_DEFINITION.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keys(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    const keyNames = TABLE_DEFINITION.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]);
    for (const name of [TABLE_DEFINITION.partitionKey, TABLE_DEFINITION.sortKey, ...keyNames]) {
      expect(table.Properties.AttributeDefinitions).toContainEqual({ AttributeName: name, AttributeType: 'S' });
    }
  });

  it('turns deletion protection off only when the context says so', () => {
    const stack = new Stack();
    new Storage(stack, 'Storage', { tableDeletionProtection: false, exportExpiration: Duration.days(3) });

    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  it('keeps the bucket private: all public access blocked, owner-enforced, SSE-S3, TLS only', () => {
    const bucketId = synth.logicalId(synth.stack.storage.bucket);

    expect(resource(bucketId).Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0]?.Properties;
    expect(referencedLogicalIds(policy.Bucket)).toEqual([bucketId]);
    const statements = policy.PolicyDocument.Statement as Array<{ Effect: string; Condition: unknown }>;
    // The bucket policy only denies (plain HTTP, old TLS); it never allows anyone in.
    expect(statements.map((s) => s.Effect)).toEqual(['Deny', 'Deny']);
    expect(statements.map((s) => s.Condition)).toEqual([
      { Bool: { 'aws:SecureTransport': 'false' } },
      { NumericLessThan: { 's3:TlsVersion': 1.2 } },
    ]);
  });

  it('expires exports after the configured days and aborts abandoned multipart uploads', () => {
    const rules = resource(synth.logicalId(synth.stack.storage.bucket)).Properties.LifecycleConfiguration.Rules;

    expect(rules).toEqual([
      { Id: 'expire-exports', Prefix: 'exports/', ExpirationInDays: 7, Status: 'Enabled' },
      {
        Id: 'abort-incomplete-multipart-uploads',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      },
    ]);
    // Export items in the table expire (TTL) after the same days as their files.
    const api = resource(synth.logicalId(synth.stack.functions.api)).Properties;
    expect(api.Environment.Variables.EXPORT_RETENTION_DAYS).toBe('7');
  });

  it('creates the LLM key secret and a generated cursor-signing secret', () => {
    const { storage } = synth.stack;

    expect(resource(synth.logicalId(storage.llmApiKey)).Properties.Description).toMatch(/LLM/);
    expect(resource(synth.logicalId(storage.cursorSigningKey)).Properties.GenerateSecretString).toEqual({
      PasswordLength: 48,
      ExcludePunctuation: true,
    });
  });
});

describe('queues', () => {
  it.each(Object.keys(QUEUE_DEFINITIONS) as QueueRole[])(
    'the %s queue follows AWS guidance: visibility ≥ 6× its worker function timeout, maxReceiveCount ≥ 5',
    (role) => {
      const queue = resource(synth.logicalId(synth.stack.pipeline.queues[role].queue)).Properties;
      const worker = resource(synth.logicalId(synth.stack.pipeline[role])).Properties;
      expect(worker.Timeout).toBe(900);
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Timeout);
      expect(queue.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    },
  );

  it.each(Object.keys(QUEUE_DEFINITIONS) as QueueRole[])(
    'the %s queue follows QUEUE_DEFINITIONS, has its own DLQ, is encrypted and TLS-only',
    (role) => {
      const { queue, deadLetterQueue } = synth.stack.pipeline.queues[role];
      const definition = QUEUE_DEFINITIONS[role];
      const dlqId = synth.logicalId(deadLetterQueue);

      expect(resource(synth.logicalId(queue)).Properties).toEqual({
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: definition.maxReceiveCount,
        },
        SqsManagedSseEnabled: true,
      });
      // Its worker consumes the DLQ too, so it hides a message as long as the work queue does.
      expect(resource(dlqId).Properties).toEqual({
        MessageRetentionPeriod: 14 * 24 * 3600,
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
      });
      for (const q of [queue, deadLetterQueue]) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: synth.logicalId(q) }],
          PolicyDocument: {
            Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
          },
        });
      }
    },
  );

  it.each([
    ['executor', 'ExecutorMaxConcurrency'],
    ['scorer', 'ScorerMaxConcurrency'],
  ] as const)('feeds the %s Lambda with partial batch failures and maximumConcurrency from %s', (role, parameter) => {
    const { pipeline } = synth.stack;

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [synth.logicalId(pipeline.queues[role].queue), 'Arn'] },
      FunctionName: { Ref: synth.logicalId(pipeline[role]) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: { Ref: parameter } },
    });
    template.hasParameter(parameter, { Type: 'Number', Default: 10, MinValue: 2, MaxValue: 1000 });
  });

  it.each(['executor', 'scorer'] as const)('lets the %s Lambda consume its own dead-letter queue', (role) => {
    const { pipeline } = synth.stack;
    const dlq = { 'Fn::GetAtt': [synth.logicalId(pipeline.queues[role].deadLetterQueue), 'Arn'] };

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: dlq,
      FunctionName: { Ref: synth.logicalId(pipeline[role]) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
    });
    const fn = template.toJSON().Resources[synth.logicalId(pipeline[role])];
    expect(fn.Properties.Environment.Variables.DEAD_LETTER_QUEUE_ARN).toEqual(dlq);
  });
});

describe('Lambdas', () => {
  const variables: Record<LambdaName, string[]> = {
    api: [
      'TABLE_NAME',
      'BUCKET_NAME',
      'EXPORT_RETENTION_DAYS',
      'CURSOR_SECRET_ARN',
      'TENANT_SECRETS_PREFIX',
      'SCORER_QUEUE_URL',
      'EXPORT_QUEUE_URL',
      'STATE_MACHINE_ARN',
      'SCHEDULE_GROUP_NAME',
      'MONITOR_FUNCTION_ARN',
      'SCHEDULER_ROLE_ARN',
    ],
    executor: [
      'TABLE_NAME',
      'BUCKET_NAME',
      'LLM_SECRET_ARN',
      'EXECUTOR_QUEUE_URL',
      'TENANT_SECRETS_PREFIX',
      'DEAD_LETTER_QUEUE_ARN',
    ],
    scorer: ['TABLE_NAME', 'BUCKET_NAME', 'LLM_SECRET_ARN', 'SCORER_QUEUE_URL', 'DEAD_LETTER_QUEUE_ARN'],
    prepareRun: ['TABLE_NAME', 'BUCKET_NAME'],
    markBatchErrored: ['TABLE_NAME', 'BUCKET_NAME'],
    finalizeRun: ['TABLE_NAME', 'BUCKET_NAME'],
    monitor: ['TABLE_NAME', 'BUCKET_NAME', 'STATE_MACHINE_ARN', 'RUN_IDLE_CLOSE_MINUTES'],
    exporter: ['TABLE_NAME', 'BUCKET_NAME', 'EXPORT_QUEUE_URL', 'EXPORT_RETENTION_DAYS'],
  };

  it.each(LAMBDA_NAMES)(
    '%s runs Node 22 on arm64 with JSON logs in its own log group and the config it reads',
    (name) => {
      const fn = resource(synth.logicalId(synth.stack.functions[name])).Properties;
      const own = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];

      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/Logs[0-9A-F]{8}$/) } },
      });
      expect(fn.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(Object.keys(fn.Environment.Variables).sort()).toEqual([...own, ...variables[name]].sort());
    },
  );

  // Entries still being written are stand-ins in this synthesis; they bundle once they exist.
  it.each(LAMBDA_NAMES.map((name) => [name, entryExists(name)] as const))(
    '%s is bundled by local esbuild into minified ESM with a source map (entry exists: %s)',
    (name, exists) => {
      const fn = resource(synth.logicalId(synth.stack.functions[name]));
      if (!exists) {
        expect(
          fn.Properties.Code.ZipFile,
          `${LAMBDA_ENTRIES[name]} is missing, so a stand-in is expected`,
        ).toBeDefined();
        return;
      }
      const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const assetDir = join(synth.outdir, `asset.${assetHash}`);

      expect(fn.Properties.Handler).toBe('index.handler');
      expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
      const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
      expect(code.startsWith('import { createRequire as __verdictCreateRequire }')).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      if (name === 'api')
        expect(existsSync(join(assetDir, 'node_modules/swagger-ui-dist/swagger-ui-bundle.js'))).toBe(true);
    },
  );
});

describe('API', () => {
  it('routes every request of an HTTP API to the api Lambda (payload 2.0)', () => {
    const { api } = synth.stack;
    const integrationId = Object.keys(template.findResources('AWS::ApiGatewayV2::Integration'))[0]!;

    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    expect(resource(integrationId).Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [synth.logicalId(api.function), 'Arn'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
    });
  });

  it('serves one auto-deployed $default stage with JSON access logs and throttling', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });
});

describe('state machine and monitors', () => {
  const aslExists = existsSync(RUN_EVALUATION_ASL_PATH);
  const unlessAsl = (title: string) =>
    aslExists ? title : `${title} (skipped: ${RUN_EVALUATION_ASL_PATH} is missing)`;

  it.skipIf(!aslExists)(
    unlessAsl('has a substitution for every placeholder in the ASL, each naming the right resource'),
    () => {
      const asl = readFileSync(RUN_EVALUATION_ASL_PATH, 'utf8');
      const { pipeline } = synth.stack;
      const substitutions = resource(synth.logicalId(pipeline.stateMachine)).Properties.DefinitionSubstitutions;
      const target: Record<string, string> = {
        PrepareRunFunctionArn: synth.logicalId(pipeline.prepareRun),
        MarkBatchErroredFunctionArn: synth.logicalId(pipeline.markBatchErrored),
        FinalizeRunFunctionArn: synth.logicalId(pipeline.finalizeRun),
        ExecutorQueueUrl: synth.logicalId(pipeline.queues.executor.queue),
        ScorerQueueUrl: synth.logicalId(pipeline.queues.scorer.queue),
      };

      for (const name of listPlaceholders(asl)) {
        expect(substitutions, `\${${name}} has no substitution`).toHaveProperty(name);
        expect(referencedLogicalIds(substitutions[name]), name).toEqual([target[name]]);
      }
    },
  );

  it.skipIf(!aslExists)(unlessAsl('runs the ASL file, logs ALL events and traces with X-Ray'), () => {
    const machine = resource(synth.logicalId(synth.stack.pipeline.stateMachine)).Properties;
    const asl = readFileSync(RUN_EVALUATION_ASL_PATH, 'utf8');

    expect(machine.StateMachineType).toBe('STANDARD');
    expect(JSON.parse(machine.DefinitionString)).toEqual(JSON.parse(asl));
    expect(machine.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('has a schedule group for monitors and outputs what operators need', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'Verdict-monitors' });
    for (const output of ['ApiUrl', 'TableName', 'BucketName', 'LlmSecretArn', 'StateMachineArn']) {
      template.hasOutput(output, {});
    }
  });

  it('sweeps idle runs every 5 minutes through the monitor Lambda, in the monitor group, with the scheduler role', () => {
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    expect(Object.keys(schedules)).toHaveLength(1);
    const [sweep] = Object.values(schedules) as Array<{ Properties: any }>;
    expect(sweep!.Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      GroupName: { Ref: expect.stringMatching(/^MonitorsScheduleGroup/) },
      Target: {
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^MonitorsTick/), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^MonitorsSchedulerRole/), 'Arn'] },
      },
    });
    expect(JSON.parse(sweep!.Properties.Target.Input)).toEqual({ kind: 'sweep' });
  });
});
