import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKnownWildcard, type SynthesizedVerdict, synthesizeVerdict } from './support/synth.js';

// cdk-nag registered as in lib/app.ts: synthesizing at all means AwsSolutions found nothing unacknowledged.
let synth: SynthesizedVerdict;
beforeAll(() => {
  synth = synthesizeVerdict({ lambdaCode: 'inline-stub', nag: true });
});
afterAll(() => synth?.cleanup());

function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason })),
  );
}

const UPLOADER = /\/Custom::CDKBucketDeployment[0-9A-F]+/;

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding, errors or warnings', () => {
    const report = new AwsSolutionsChecks().validateScope(synth.app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );

    expect(findings).toEqual([]);
  });

  it('gives every acknowledgement a written reason', () => {
    const acknowledged = acknowledgements(synth.app);

    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledged) {
      expect(reason.length, `${id} on ${path}`).toBeGreaterThanOrEqual(60);
    }
  });

  it('acknowledges only the rules we have argued for', () => {
    const rules = new Set(acknowledgements(synth.app).map(({ id }) => id.replace(/\[.*$/, '')));

    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
    ]);
  });

  it('acknowledges IAM5 only for object keys, schedule and system-secret names, and services without resource-level permissions', () => {
    const iam5 = acknowledgements(synth.app).filter(({ id }) => id.startsWith('AwsSolutions-IAM5'));
    // CDK's BucketDeployment (the web app's uploader, run only by CloudFormation) brings its own wildcards.
    const ours = iam5.filter(({ path }) => !UPLOADER.test(path));
    const wildcards = ours.map(({ id }) => id.replace(/^AwsSolutions-IAM5\[Resource::(.*)\]$/, '$1'));

    for (const resource of wildcards) expect(resource === '*' || isKnownWildcard(resource), resource).toBe(true);
    for (const { id } of iam5.filter(({ path }) => UPLOADER.test(path))) {
      expect(id, id).toMatch(
        /^AwsSolutions-IAM5\[(Action::s3:[A-Za-z]+\*|Resource::(\*|.*<WebAssets[0-9A-F]{8}\.Arn>\/\*|.*:s3:::cdk-[a-z0-9]+-assets-.*\/\*))\]$/,
      );
    }
  });
});
