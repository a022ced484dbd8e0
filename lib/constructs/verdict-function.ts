import { existsSync } from 'node:fs';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  type FunctionProps,
  Function as LambdaFunction,
  LoggingFormat,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { cdkBundling, LAMBDA_RUNTIME } from '../bundling.js';
import { entryPath, LAMBDA_ENTRIES, type LambdaName, REPO_ROOT, repoPath } from '../lambda-entries.js';
import { acknowledge } from './nag.js';

/**
 * Where a function's code comes from. `bundle` (the CLI) bundles every entry and refuses to synthesize a stack
 * that would deploy a missing handler. The infra tests use `bundle-existing` (missing entries become inline
 * stand-ins while they are being written) and `inline-stub` (no bundling at all, for checks that only read
 * resources and policies).
 */
export type LambdaCode = 'bundle' | 'bundle-existing' | 'inline-stub';

export interface VerdictFunctionProps {
  name: LambdaName;
  description: string;
  timeout: Duration;
  memorySize: number;
  logRetention: RetentionDays;
  code: LambdaCode;
  commandHooks?: ICommandHooks;
}

/**
 * One Lambda as every Verdict function is built: Node 22 on arm64, bundled locally by esbuild to minified ESM
 * with source maps, structured JSON logs (Powertools) into its own log group, and its own role that starts
 * with nothing but writing to that log group; permissions come from the bind* helpers.
 */
export class VerdictFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: VerdictFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of our own instead of the AWSLambdaBasicExecutionRole managed policy, which may write to any log group.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `verdict ${props.name} Lambda`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const common: Omit<FunctionProps, 'code' | 'handler'> = {
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      // X-Ray: every invocation is a trace segment, joined to the state machine's and API Gateway's traces.
      tracing: Tracing.ACTIVE,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: {
        POWERTOOLS_SERVICE_NAME: `verdict-${props.name}`,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Stack traces point at the TypeScript sources instead of minified code.
        NODE_OPTIONS: '--enable-source-maps',
      },
    };

    const entry = entryPath(props.name);
    if (props.code !== 'inline-stub' && existsSync(entry)) {
      this.function = new NodejsFunction(this, 'Function', {
        ...common,
        entry,
        handler: 'handler',
        projectRoot: REPO_ROOT,
        depsLockFilePath: repoPath('package-lock.json'),
        bundling: cdkBundling(props.name, props.commandHooks),
      });
    } else if (props.code !== 'bundle') {
      this.function = new LambdaFunction(this, 'Function', {
        ...common,
        handler: 'index.handler',
        code: Code.fromInline(
          `exports.handler = async () => { throw new Error('${LAMBDA_ENTRIES[props.name]} was not built into this stack'); };`,
        ),
      });
    } else {
      throw new Error(
        `${LAMBDA_ENTRIES[props.name]} does not exist, so the ${props.name} Lambda (${this.node.path}) cannot be ` +
          'bundled. Write that handler (it must export `handler`) before synthesizing the stack.',
      );
    }
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
    );
    if (LAMBDA_RUNTIME.name === 'nodejs22.x') {
      acknowledge(
        this.function,
        'AwsSolutions-L1',
        'Node.js 22 is the runtime the handlers and their esbuild target (lib/bundling.ts) are built and tested ' +
          'for; it is supported by Lambda until April 2027. Moving to nodejs24.x is the one-line LAMBDA_RUNTIME ' +
          'change, to make once the handlers have been run on it.',
      );
    }
  }
}
