import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedVerdict, synthesizeVerdict } from './support/synth.js';

let synth: SynthesizedVerdict;
beforeAll(() => {
  synth = synthesizeVerdict({ lambdaCode: 'inline-stub' });
});
afterAll(() => synth?.cleanup());

const distribution = () => {
  const [config] = Object.values(synth.template.findResources('AWS::CloudFront::Distribution')).map(
    (d) => d.Properties.DistributionConfig,
  );
  return config;
};

describe('the web app in AWS: S3 behind CloudFront, /api/* to the HTTP API', () => {
  it('serves the bucket only through CloudFront (origin access control), never publicly', () => {
    const bucket = synth.logicalId(synth.stack.web.bucket);
    const { Properties } = synth.template.toJSON().Resources[bucket];
    expect(Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    synth.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    const origins = distribution().Origins;
    const s3 = origins.find((o: any) => o.S3OriginConfig);
    expect(s3.OriginAccessControlId).toBeDefined();
  });

  it('routes /api/*, /docs and /health to the HTTP API with every method, uncached and keyed by Authorization', () => {
    const config = distribution();
    const apiOrigin = config.Origins.find((o: any) => o.CustomOriginConfig);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(synth.logicalId(synth.stack.api.httpApi));
    expect(apiOrigin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });

    const paths = config.CacheBehaviors.map((b: any) => b.PathPattern);
    expect(paths).toEqual(expect.arrayContaining(['/api/*', '/docs', '/docs/*', '/health']));
    for (const behavior of config.CacheBehaviors) {
      expect(behavior.TargetOriginId).toBe(apiOrigin.Id);
      expect(behavior.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
      expect(behavior.FunctionAssociations).toBeUndefined();
    }
    const policyId = config.CacheBehaviors[0].CachePolicyId.Ref;
    const policy = synth.template.toJSON().Resources[policyId].Properties.CachePolicyConfig;
    expect(policy).toMatchObject({ DefaultTTL: 0, MinTTL: 0 });
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig).toEqual({
      HeaderBehavior: 'whitelist',
      Headers: ['Authorization'],
    });
  });

  it('answers deep links with index.html through a viewer-request function on the bucket only', () => {
    const config = distribution();
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const [association] = config.DefaultCacheBehavior.FunctionAssociations;
    expect(association.EventType).toBe('viewer-request');
    const fn = Object.values(synth.template.findResources('AWS::CloudFront::Function'))[0]!.Properties;
    // Run the function's own code on requests, as CloudFront would.
    const handler = new Function(`${fn.FunctionCode}; return handler;`)() as (e: unknown) => { uri: string };
    const uri = (path: string) => handler({ request: { uri: path } }).uri;
    expect(uri('/projects/01abc/runs/01def')).toBe('/index.html');
    expect(uri('/')).toBe('/index.html');
    expect(uri('/signin')).toBe('/index.html');
    expect(uri('/assets/index-BMrpFwJM.js')).toBe('/assets/index-BMrpFwJM.js');
    expect(uri('/favicon.ico')).toBe('/favicon.ico');
  });

  it('uploads the build on deploy, invalidates index.html, and outputs the web address', () => {
    synth.template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: synth.logicalId(synth.stack.web.bucket) },
      DistributionPaths: ['/index.html'],
    });
    const outputs = synth.template.toJSON().Outputs;
    expect(JSON.stringify(outputs.WebUrl.Value)).toContain(synth.logicalId(synth.stack.web.distribution));
  });
});
