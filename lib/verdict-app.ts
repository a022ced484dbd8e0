import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { LambdaCode } from './constructs/verdict-function.js';
import { VerdictStack } from './verdict-stack.js';

export interface VerdictAppOptions {
  lambdaCode?: LambdaCode;
  /** Register cdk-nag's AwsSolutions pack, which fails synthesis on any unacknowledged finding. */
  nag?: boolean;
  webAssets?: string;
}

/** Adds the Verdict stack to an app; shared by lib/app.ts (the CDK CLI) and the infra tests. */
export function addVerdictStack(app: App, options: VerdictAppOptions = {}): VerdictStack {
  const stackName = app.node.tryGetContext('verdict:stackName') ?? 'Verdict';
  // Environment-agnostic on purpose: nothing is looked up, so synthesis is the same offline and on any machine.
  const stack = new VerdictStack(app, String(stackName), {
    lambdaCode: options.lambdaCode,
    webAssets: options.webAssets,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
