import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on a construct and everything under it. cdk-nag 3 matches ids exactly
 * (`AwsSolutions-IAM5[Resource::...]` is one finding), so each acknowledgement covers only what it names.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The id cdk-nag gives an IAM5 finding for a wildcard resource such as `${bucket.bucketArn}/*`, computed the
 * way cdk-nag computes it, so acknowledgements follow logical ids instead of hard-coding them.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}
