import { DefaultStackSynthesizer, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  type BehaviorOptions,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from './nag.js';

export interface WebProps {
  /** The HTTP API CloudFront sends /api/* (and the /docs reference) to. */
  httpApi: HttpApi;
  /** The built web app (web/dist) uploaded to the bucket on deploy. */
  assets: string;
}

/**
 * Deep links such as /projects/…/runs/… are pages of the single-page app: the viewer-request function serves
 * index.html for any path without a file extension, so the app routes itself. Only the S3 behaviour runs it;
 * API 404s stay the API's (distribution-wide error pages would have rewritten them too).
 */
const SPA_FALLBACK = `function handler(event) {
  var request = event.request;
  if (!/\\.[A-Za-z0-9]+$/.test(request.uri)) request.uri = '/index.html';
  return request;
}`;

/**
 * The web app on S3 behind CloudFront, with /api/* routed to the HTTP API on the same origin: the browser talks
 * to one host, so there is no CORS and the API key never leaves it for another domain.
 */
export class Web extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);

    this.bucket = new Bucket(this, 'Assets', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Rebuilt on every deploy from web/dist; nothing here is data worth keeping.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'The bucket holds only the built web app (public JavaScript, CSS and HTML), read by CloudFront through ' +
        'origin access control; CloudFront is where viewer requests would be logged.',
    );

    const spaFallback = new CloudFrontFunction(this, 'SpaFallback', {
      code: FunctionCode.fromInline(SPA_FALLBACK),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Verdict: serve index.html for the web app’s own paths',
    });

    // The API's answers depend on the caller's key and are never cached: TTL 0 unless the API says otherwise,
    // with Authorization in the key because CloudFront forwards that header only through a cache policy.
    const apiCachePolicy = new CachePolicy(this, 'ApiCachePolicy', {
      comment: 'Verdict API: pass-through, keyed by the Authorization header',
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: CacheQueryStringBehavior.all(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const region = Stack.of(this).region;
    const api: BehaviorOptions = {
      origin: new HttpOrigin(`${props.httpApi.apiId}.execute-api.${region}.${Stack.of(this).urlSuffix}`, {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: apiCachePolicy,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Verdict: web app and API',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      additionalBehaviors: { '/api/*': api, '/docs': api, '/docs/*': api, '/health': api },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Verdict is used by teams wherever they work; the API authenticates every request, so there is no ' +
        'country to block by default. Operators add a geo restriction in their own fork if policy asks.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'The API behind /api/* is throttled at API Gateway (stage throttle) and authenticates every call; a WAF ' +
        'web ACL costs per month per deployment, so it is left to operators who need managed rule sets.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'API Gateway already writes a JSON access log of every API request; standard logs for the static app ' +
        'would need an ACL-enabled log bucket, which this stack avoids (BucketOwnerEnforced everywhere).',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'With the default *.cloudfront.net certificate CloudFront fixes the viewer security policy; a custom ' +
        'domain with its own ACM certificate can set TLSv1.2_2021. Origins are reached over TLS 1.2 only.',
    );

    const deployment = new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(props.assets)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html'],
      memoryLimit: 512,
    });
    // CDK's own uploader Lambda: it runs only while CloudFormation deploys, copying web/dist into the bucket.
    const uploader = deployment.handlerRole.node.scope as Construct;
    const assetsBucket = `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*`;
    const uploaderFindings: Array<[string, string]> = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'CDK’s BucketDeployment Lambda writes its own logs through the AWS-managed basic execution role.',
      ],
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map(
        (action): [string, string] => [
          `AwsSolutions-IAM5[Action::${action}]`,
          `CDK’s BucketDeployment grants itself ${action} to copy the build from the CDK asset bucket into the web bucket and prune old files.`,
        ],
      ),
      [
        `AwsSolutions-IAM5[Resource::${assetsBucket}]`,
        'The build is read from the CDK bootstrap asset bucket, whose object keys are content hashes chosen at deploy.',
      ],
      [
        wildcardResourceFinding(this, this.bucket.arnForObjects('*')),
        'The uploader replaces every file of the web bucket on deploy (hashed asset names change with each build).',
      ],
      [
        'AwsSolutions-IAM5[Resource::*]',
        'cloudfront:CreateInvalidation (so the new index.html is served at once) takes no resource-level scoping in CDK’s BucketDeployment.',
      ],
      [
        'AwsSolutions-L1',
        'The runtime of CDK’s BucketDeployment Lambda is chosen by aws-cdk-lib and moves with its upgrades.',
      ],
    ];
    for (const [finding, reason] of uploaderFindings) acknowledge(uploader, finding, reason);
  }
}
