import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods, CachePolicy, Distribution, FunctionCode, FunctionEventType, FunctionRuntime, Function as CloudFrontFunction,
  type HeadersFrameOption, type HeadersReferrerPolicy, HttpVersion, OriginProtocolPolicy, OriginRequestPolicy, PriceClass,
  ResponseHeadersPolicy, ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { contentSecurityPolicy, SECURITY_HEADERS } from '../../console/security-headers';

/** Where Vite puts the console (its `base`): the same path as on the local runtime. */
export const CONSOLE_PATH = '/app/';
/** Written into console/dist by the local build's cache; not part of the site. */
const BUILD_CACHE_FILES = ['.tradeflow-source-hash'];
const PATHS_FUNCTION = path.join(path.dirname(fileURLToPath(import.meta.url)), 'console-paths.cloudfront.js');

export interface WebConsoleProps {
  /** the console's Vite build (console/dist) */
  distDir: string;
  api: HttpApi;
  userPool: UserPool;
  client: UserPoolClient;
}

/**
 * The web console in the cloud, laid out as on the local runtime: one origin (a CloudFront distribution)
 * whose `/app/` is the console, from a private S3 bucket through Origin Access Control, and whose every
 * other path is the HTTP API. The console therefore calls the API on its own origin: no CORS, and a
 * content security policy whose connect-src is 'self' and Cognito's endpoint only. `/app/config.json`
 * tells the console the user pool and client to sign in with.
 */
export class WebConsole extends Construct {
  readonly distribution: Distribution;
  /** the console's address: https://<distribution>/app/ */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}${CONSOLE_PATH}`;
  }
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    if (!existsSync(path.join(props.distDir, 'index.html'))) {
      throw new Error(`${props.distDir} holds no build of the web console: run \`npm run build:console\` first (\`npx cdk synth\` and \`npx cdk deploy\` build it themselves)`);
    }
    const stack = Stack.of(this);

    const logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      // CloudFront's standard logs are written with an ACL
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site/',
      // the deployment leaves the files in it when the stack goes (retainOnDelete), so the bucket stays too
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const paths = new CloudFrontFunction(this, 'Paths', {
      code: FunctionCode.fromFile({ filePath: PATHS_FUNCTION }),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Sends / to /app/, and any page of the console to its index.html',
    });
    const functionAssociations = [{ function: paths, eventType: FunctionEventType.VIEWER_REQUEST }];

    const cognitoEndpoint = `https://cognito-idp.${stack.region}.amazonaws.com`;
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'The web console\'s security headers (console/security-headers.ts), with HSTS',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy([cognitoEndpoint]), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365 * 2), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: SECURITY_HEADERS['x-frame-options'] as HeadersFrameOption, override: true },
        referrerPolicy: { referrerPolicy: SECURITY_HEADERS['referrer-policy'] as HeadersReferrerPolicy, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: SECURITY_HEADERS['permissions-policy'], override: true }],
      },
    });

    // https://<id>.execute-api.<region>.amazonaws.com -> its host name
    const apiHost = Fn.select(2, Fn.split('/', props.api.apiEndpoint));
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Tradeflow: the web console under /app/, the HTTP API on every other path',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: new HttpOrigin(apiHost, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        // never cached; every viewer header but Host (API Gateway routes by its own host name) reaches the
        // API, the Authorization header included, which CloudFront forwards only when nothing is cached
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // HSTS and the rest without the console's CSP: the API's own pages (mail links) set theirs
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations,
      },
      additionalBehaviors: {
        [`${CONSOLE_PATH}*`]: {
          origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headers,
          functionAssociations,
        },
      },
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'Without a custom domain the distribution serves CloudFront\'s default *.cloudfront.net certificate, whose viewer TLS policy CloudFront fixes (minimumProtocolVersion takes effect only with a certificate of our own); add a domain and certificate with TLSv1.2_2021 to lift this.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Customers\' sales teams sign in from any country; every page and API call requires a Cognito sign-in, so there is no region to restrict to.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'No WAF web ACL: the console is static files and the API behind it requires a Cognito JWT or a signed request on every data route, with API Gateway throttling; a web ACL is a cost decision left to each deployment.',
    });

    const assets = new LogGroup(this, 'DeploymentLogs', { retention: RetentionDays.ONE_MONTH });
    const deployTo = (prefix: string) => ({
      destinationBucket: this.bucket,
      destinationKeyPrefix: prefix.slice(1),
      // an open tab may still load a chunk of the build before: old hashed files stay
      prune: false,
      logGroup: assets,
    });
    // hashed file names: cached for good
    const assetsDeployment = new BucketDeployment(this, 'Assets', {
      ...deployTo(`${CONSOLE_PATH}assets/`),
      sources: [Source.asset(path.join(props.distDir, 'assets'))],
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
    });
    // the page and its configuration: asked again on every visit
    new BucketDeployment(this, 'Page', {
      ...deployTo(CONSOLE_PATH),
      sources: [
        Source.asset(props.distDir, { exclude: ['assets', ...BUILD_CACHE_FILES] }),
        Source.jsonData('config.json', consoleConfig(props)),
      ],
      cacheControl: [CacheControl.noCache()],
    });
    acknowledgeDeploymentHandler(assetsDeployment, this.bucket);

    new CfnOutput(this, 'ConsoleUrl', {
      value: this.url,
      description: 'The web console (sign in with a user of the pool)',
    });
  }
}

/**
 * The findings on CDK's BucketDeployment handler (one function for the stack, whatever the number of
 * deployments), which copies the build from CDK's asset bucket into the console's bucket.
 */
function acknowledgeDeploymentHandler(deployment: BucketDeployment, site: Bucket) {
  const role = deployment.handlerRole;
  const handler = role.node.scope as Construct;
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The BucketDeployment handler is aws-cdk-lib\'s own Python function (it runs the AWS CLI layer); its runtime is set by CDK and moves with CDK upgrades.',
  });
  const assetBucket = `arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${Stack.of(site).region}/*`;
  const siteObjects = `<${Stack.of(site).getLogicalId(site.node.defaultChild as CfnElement)}.Arn>/*`;
  const findings: Record<string, string> = {
    'Action::s3:GetObject*': 'Reads the build\'s zips from CDK\'s asset bucket and lists what is in the console\'s bucket to sync it: read actions on those two buckets only.',
    'Action::s3:GetBucket*': 'The AWS CLI\'s sync reads the location and settings of the asset bucket and of the console\'s bucket, those two only.',
    'Action::s3:List*': 'The AWS CLI\'s sync lists the objects of the asset bucket and of the console\'s bucket to compare them, those two only.',
    'Action::s3:DeleteObject*': 'Deleting is granted on the console\'s bucket only, where a sync replaces the page and its configuration.',
    'Action::s3:Abort*': 'Aborting multipart uploads is granted on the console\'s bucket only, for a sync of a large file that fails half-way.',
    [`Resource::${assetBucket}`]: 'The build\'s zips are objects of CDK\'s bootstrap asset bucket, under content-hash names known only when the assets are published.',
    [`Resource::${siteObjects}`]: 'The deployment writes every file of the build (hashed names that change with each build) into the console\'s own bucket.',
  };
  for (const [finding, reason] of Object.entries(findings)) Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}

/**
 * What /app/config.json tells the console (console/src/auth/config.ts): sign in with this pool and client,
 * and call the API on the console's own origin. Resolved when the deployment runs.
 */
function consoleConfig(props: WebConsoleProps) {
  const stack = Stack.of(props.api);
  return {
    mode: 'cognito',
    apiUrl: '/',
    region: stack.region,
    userPoolId: props.userPool.userPoolId,
    clientId: props.client.userPoolClientId,
  };
}
