import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueRole } from '../../lambdas/aws/queue-definitions.js';
import type { VerdictFunction } from '../../lib/constructs/verdict-function.js';
import { LAMBDA_NAMES, type LambdaName } from '../../lib/lambda-entries.js';
import type { VerdictStack } from '../../lib/verdict-stack.js';
import {
  asArray,
  isKnownWildcard,
  referencedLogicalIds,
  roleStatements,
  type Statement,
  type SynthesizedVerdict,
  synthesizeVerdict,
  WILDCARD_RESOURCES,
} from './support/synth.js';

// Policies do not depend on the code, so no bundling here.
let synth: SynthesizedVerdict;
beforeAll(() => {
  synth = synthesizeVerdict({ lambdaCode: 'inline-stub' });
});
afterAll(() => synth?.cleanup());

const TABLE_READ_WRITE = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
];
const BUCKET_READ_WRITE = [
  's3:AbortMultipartUpload',
  's3:DeleteObject',
  's3:GetObject',
  's3:ListBucket',
  's3:PutObject',
];
const SECRET_READ = ['secretsmanager:GetSecretValue'];
const QUEUE_CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
const TASK_CALLBACKS = ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'];
const LOG_WRITE = ['logs:CreateLogStream', 'logs:PutLogEvents'];

const TENANT_SECRETS = WILDCARD_RESOURCES.tenantSecrets;
const GITHUB_TOKENS = WILDCARD_RESOURCES.githubTokens;
const RUN_EXECUTIONS = WILDCARD_RESOURCES.runExecutions;

/** What each Lambda may do, resource by resource: anything else in its policy is a failure. */
function expectedGrants(stack: VerdictStack, name: LambdaName): Array<[IConstruct, string[]]> {
  const { storage, pipeline, monitors, exports } = stack;
  const ownLogs = (stack.functions[name].node.scope as VerdictFunction).logGroup;
  const data: Array<[IConstruct, string[]]> = [
    [ownLogs, LOG_WRITE],
    [storage.table, TABLE_READ_WRITE],
    [storage.bucket, BUCKET_READ_WRITE],
  ];
  const worker = (role: QueueRole): Array<[IConstruct, string[]]> => [
    ...data,
    [storage.llmApiKey, SECRET_READ],
    [pipeline.queues[role].queue, QUEUE_CONSUME],
    // It consumes its own dead-letter queue as well (poisoned messages mark their records errored).
    [pipeline.queues[role].deadLetterQueue, QUEUE_CONSUME],
    [pipeline.stateMachine, TASK_CALLBACKS],
  ];
  const grants: Record<LambdaName, Array<[IConstruct, string[]]>> = {
    api: [
      ...data,
      [storage.cursorSigningKey, SECRET_READ],
      [pipeline.queues.scorer.queue, ['sqs:SendMessage']],
      [exports.queue.queue, ['sqs:SendMessage']],
      [pipeline.stateMachine, ['states:StartExecution']],
      [
        monitors.scheduleGroup,
        ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
      ],
      [monitors.schedulerRole, ['iam:PassRole']],
    ],
    executor: worker('executor'),
    scorer: worker('scorer'),
    prepareRun: data,
    markBatchErrored: data,
    finalizeRun: data,
    // Starts executions, and describes them for the run sweep (only executions: see 'the monitor Lambda' below).
    monitor: [...data, [pipeline.stateMachine, ['states:DescribeExecution', 'states:StartExecution']]],
    // Reads, and updates export items; objects only under overflow/ (read) and exports/ (write): see EXPORTER_OBJECTS.
    exporter: [
      [ownLogs, LOG_WRITE],
      [storage.table, ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']],
      [storage.bucket, ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListBucket', 's3:PutObject']],
      [exports.queue.queue, QUEUE_CONSUME],
    ],
  };
  return grants[name];
}

/** Actions per logical id the statements point at. */
function grantsByResource(statements: Statement[]): Record<string, string[]> {
  const grants = new Map<string, Set<string>>();
  for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
    for (const id of referencedLogicalIds(statement.Resource)) {
      const actions = grants.get(id) ?? new Set<string>();
      for (const action of asArray(statement.Action)) actions.add(action);
      grants.set(id, actions);
    }
  }
  return Object.fromEntries([...grants].map(([id, actions]) => [id, [...actions].sort()]));
}

const functionStatements = (name: LambdaName) =>
  roleStatements(synth.template, synth.logicalId(synth.stack.functions[name].role!));

const flatResources = (statement: Statement) => asArray(statement.Resource).map((r) => flattenCfnReference(r));

describe.each(LAMBDA_NAMES)('the %s Lambda’s role', (name) => {
  it('grants exactly the expected actions on its own resources, and nothing on anything else', () => {
    const expected = Object.fromEntries(
      expectedGrants(synth.stack, name).map(([construct, actions]) => [
        synth.logicalId(construct),
        [...actions].sort(),
      ]),
    );

    expect(grantsByResource(functionStatements(name))).toEqual(expected);
  });

  it('allows on `*` only X-Ray’s trace upload, and names every other resource by reference or under this stack’s own prefix', () => {
    const [xray, rest] = [
      functionStatements(name).filter((s) => asArray(s.Resource).includes('*')),
      functionStatements(name).filter((s) => !asArray(s.Resource).includes('*')),
    ];
    expect(xray.flatMap((s) => asArray(s.Action)).sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    for (const statement of rest) {
      expect(asArray(statement.Resource), JSON.stringify(statement)).not.toContain('*');
      for (const resource of asArray(statement.Resource)) {
        const referenced = referencedLogicalIds(resource).length > 0;
        const flat = flattenCfnReference(resource);
        expect(referenced || TENANT_SECRETS.test(flat) || GITHUB_TOKENS.test(flat), JSON.stringify(resource)).toBe(
          true,
        );
      }
    }
  });

  it('uses no action wildcards, and resource wildcards only for object keys, schedule and secret names', () => {
    const statements = functionStatements(name);
    const actions = statements.flatMap((s) => asArray(s.Action));
    // `*` itself is X-Ray's alone (the test above).
    const wildcards = statements.flatMap(flatResources).filter((r) => r.includes('*') && r !== '*');

    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    for (const resource of wildcards) expect(isKnownWildcard(resource), resource).toBe(true);
  });

  it('has no managed policies (not even AWSLambdaBasicExecutionRole)', () => {
    const role = synth.template.toJSON().Resources[synth.logicalId(synth.stack.functions[name].role!)];

    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('the exporter Lambda', () => {
  it('reads only overflow/ objects and writes only under exports/', () => {
    const objectStatements = functionStatements('exporter')
      .filter((s) => asArray(s.Action).some((a) => a !== 's3:ListBucket' && a.startsWith('s3:')))
      .map((s) => ({ actions: asArray(s.Action).sort(), resources: flatResources(s) }));

    expect(objectStatements).toEqual([
      {
        actions: ['s3:GetObject'],
        resources: [expect.stringMatching(/^<StorageBucket[0-9A-F]{8}\.Arn>\/overflow\/\*$/)],
      },
      {
        actions: ['s3:AbortMultipartUpload', 's3:PutObject'],
        resources: [expect.stringMatching(/^<StorageBucket[0-9A-F]{8}\.Arn>\/exports\/\*$/)],
      },
    ]);
  });
});

describe('the monitor Lambda', () => {
  it('may describe the run-evaluation state machine’s own executions (the run sweep), and no Lambda else may', () => {
    const describing = LAMBDA_NAMES.flatMap((name) =>
      functionStatements(name)
        .filter((s) => asArray(s.Action).includes('states:DescribeExecution'))
        .map((s) => ({ name, actions: asArray(s.Action), resources: flatResources(s) })),
    );

    expect(describing).toEqual([
      {
        name: 'monitor',
        actions: ['states:DescribeExecution'],
        resources: [expect.stringMatching(RUN_EXECUTIONS)],
      },
    ]);
    // Its StartExecution is on the state machine itself, never on executions.
    const starting = functionStatements('monitor').filter((s) => asArray(s.Action).includes('states:StartExecution'));
    expect(starting.flatMap(flatResources)).toEqual([expect.stringMatching(/^<PipelineRunEvaluation[0-9A-F]{8}>$/)]);
  });
});

describe('project secrets', () => {
  const tenantSecretStatements = (name: LambdaName) =>
    functionStatements(name).filter((s) => flatResources(s).some((r) => TENANT_SECRETS.test(r)));
  const environment = (name: LambdaName) =>
    synth.template.toJSON().Resources[synth.logicalId(synth.stack.functions[name])].Properties.Environment.Variables;

  it('lets the api write project secrets (never read them) and only the executor read them, under verdict/<stack>/tenants/', () => {
    const touching = LAMBDA_NAMES.filter((name) => tenantSecretStatements(name).length > 0);
    const actions = (name: LambdaName) =>
      tenantSecretStatements(name)
        .flatMap((s) => asArray(s.Action))
        .sort();

    expect(touching.sort()).toEqual(['api', 'executor']);
    expect(actions('api')).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:PutSecretValue',
    ]);
    expect(actions('executor')).toEqual(['secretsmanager:GetSecretValue']);
    expect(environment('api').TENANT_SECRETS_PREFIX).toBe('verdict/Verdict/tenants/');
    expect(environment('executor').TENANT_SECRETS_PREFIX).toBe('verdict/Verdict/tenants/');
  });

  it('lets the api read GitHub tokens (<prefix>*/*/@github-token-??????) and no other Lambda, and nothing else by that grant', () => {
    const tokenStatements = (name: LambdaName) =>
      functionStatements(name).filter((s) => flatResources(s).some((r) => GITHUB_TOKENS.test(r)));
    const touching = LAMBDA_NAMES.filter((name) => tokenStatements(name).length > 0);

    expect(touching).toEqual(['api']);
    const [statement] = tokenStatements('api');
    expect(asArray(statement!.Action)).toEqual(['secretsmanager:GetSecretValue']);
    // The only tenant-secret name this grant reaches is the token's (IAM may merge it with the cursor key's).
    const tenants = flatResources(statement!).filter((r) => r.includes(':secret:verdict/Verdict/tenants/'));
    expect(tenants).toHaveLength(1);
    expect(tenants[0]).toMatch(GITHUB_TOKENS);
  });
});

describe('service roles', () => {
  it('lets the state machine invoke exactly the three workflow Lambdas, send to exactly the two queues, and run its own child executions', () => {
    const { pipeline } = synth.stack;
    const statements = roleStatements(synth.template, synth.logicalId(pipeline.stateMachine.role));
    const grants = grantsByResource(statements);

    expect(grants).toEqual({
      [synth.logicalId(pipeline.prepareRun)]: ['lambda:InvokeFunction'],
      [synth.logicalId(pipeline.markBatchErrored)]: ['lambda:InvokeFunction'],
      [synth.logicalId(pipeline.finalizeRun)]: ['lambda:InvokeFunction'],
      [synth.logicalId(pipeline.queues.executor.queue)]: ['sqs:SendMessage'],
      [synth.logicalId(pipeline.queues.scorer.queue)]: ['sqs:SendMessage'],
    });
    // The Distributed Map: start child executions of itself, describe and stop only those.
    const distributedMap = statements
      .filter((s) => asArray(s.Action).some((a) => a.endsWith('Execution')))
      .map((s) => ({ actions: asArray(s.Action).sort(), resources: flatResources(s) }));
    expect(distributedMap).toEqual([
      {
        actions: ['states:StartExecution'],
        resources: ['arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:Verdict-run-evaluation'],
      },
      {
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [expect.stringMatching(WILDCARD_RESOURCES.childExecutions)],
      },
    ]);
    // `*` only where the services allow nothing narrower: log delivery and X-Ray.
    const onAnything = statements.filter((s) => asArray(s.Resource).includes('*')).flatMap((s) => asArray(s.Action));
    expect(
      onAnything.every((action) => /^(logs|xray):/.test(action)),
      onAnything.join(', '),
    ).toBe(true);
  });

  it('lets the scheduler role invoke the monitor Lambda only, and only EventBridge Scheduler of this account assume it', () => {
    const { monitors } = synth.stack;
    const roleId = synth.logicalId(monitors.schedulerRole);
    const role = synth.template.toJSON().Resources[roleId];

    expect(grantsByResource(roleStatements(synth.template, roleId))).toEqual({
      [synth.logicalId(monitors.function)]: ['lambda:InvokeFunction'],
    });
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  it('lets the api pass the scheduler role to EventBridge Scheduler and to nothing else', () => {
    const passRole = functionStatements('api').filter((s) => asArray(s.Action).includes('iam:PassRole'));

    expect(passRole).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [synth.logicalId(synth.stack.monitors.schedulerRole), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    ]);
  });
});
