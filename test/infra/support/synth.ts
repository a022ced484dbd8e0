import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { LambdaCode } from '../../../lib/constructs/verdict-function.js';
import { repoPath } from '../../../lib/lambda-entries.js';
import { addVerdictStack } from '../../../lib/verdict-app.js';
import type { VerdictStack } from '../../../lib/verdict-stack.js';

export interface SynthesizedVerdict {
  app: App;
  stack: VerdictStack;
  template: Template;
  /** The cloud assembly directory (bundled assets live here). */
  outdir: string;
  /** The logical id CloudFormation knows a construct (or its default child) by. */
  logicalId(construct: IConstruct): string;
  cleanup(): void;
}

/** The context `npm run synth` sees: cdk.json's, so the tests check the stack the CLI deploys. */
export const cdkJsonContext = (): Record<string, unknown> =>
  JSON.parse(readFileSync(repoPath('cdk.json'), 'utf8')).context;

/**
 * Synthesizes the Verdict stack in-process. `nag` registers cdk-nag like lib/app.ts does, so synthesis itself
 * fails on an unacknowledged finding.
 */
export function synthesizeVerdict(options: {
  lambdaCode: LambdaCode;
  nag?: boolean;
  context?: Record<string, unknown>;
}): SynthesizedVerdict {
  const outdir = mkdtempSync(join(tmpdir(), 'verdict-cdk-'));
  // A stand-in web build, so infra tests need no `vite build` first.
  const webAssets = join(outdir, 'web-assets');
  mkdirSync(join(webAssets, 'assets'), { recursive: true });
  writeFileSync(join(webAssets, 'index.html'), '<!doctype html><title>Verdict</title>');
  const app = new App({ context: { ...cdkJsonContext(), ...options.context }, outdir });
  const stack = addVerdictStack(app, { lambdaCode: options.lambdaCode, nag: options.nag ?? false, webAssets });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    outdir,
    logicalId(construct: IConstruct) {
      const element = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
      if (!element || !CfnElement.isCfnElement(element)) throw new Error(`${construct.node.path} has no CFN resource`);
      return Stack.of(element).resolve(element.logicalId) as string;
    },
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Logical ids a CloudFormation value points at through Ref / Fn::GetAtt (pseudo parameters left out). */
export function referencedLogicalIds(value: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.Ref === 'string' && !record.Ref.startsWith('AWS::')) found.add(record.Ref);
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
    Object.values(record).forEach(visit);
  };
  visit(value);
  return [...found].sort();
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every inline policy attached to a role (AWS::IAM::Policy resources naming it). */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => referencedLogicalIds(policy.Properties.Roles).includes(roleLogicalId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/**
 * The only wildcard resources the stack grants, in cdk-nag's flattened notation (`<Logical.Arn>`): objects of
 * the bucket, schedules of the monitor group, and project secrets under the stack's tenant-secret prefix.
 */
export const WILDCARD_RESOURCES = {
  objectKeys: /^<StorageBucket[0-9A-F]{8}\.Arn>\/\*$/,
  /** The exporter's: overflowed payloads (read) and export files (write). */
  exporterObjects: /^<StorageBucket[0-9A-F]{8}\.Arn>\/(overflow|exports)\/\*$/,
  schedules:
    /^arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule\/<MonitorsScheduleGroup[0-9A-F]{8}>\/\*$/,
  /** The run-evaluation state machine's own executions (not its children): the run sweep describes them. */
  runExecutions:
    /^arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<PipelineRunEvaluation[0-9A-F]{8}\.Name>:\*$/,
  /** The run-evaluation state machine's own Distributed Map child executions. */
  childExecutions: /^arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:Verdict-run-evaluation\/\*$/,
  tenantSecrets:
    /^arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:verdict\/Verdict\/tenants\/\*$/,
  /** GitHub tokens only: `@github-token` is a name no project secret can take. */
  githubTokens:
    /^arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:verdict\/Verdict\/tenants\/\*\/\*\/@github-token-\?{6}$/,
};

export const isKnownWildcard = (resource: string) =>
  Object.values(WILDCARD_RESOURCES).some((pattern) => pattern.test(resource));
