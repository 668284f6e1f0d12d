import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../infra/app';
import { loadCloudAssembly, type StackArtifact } from '../../local/assembly/cloud-assembly';
import { TradeflowStack } from '../../infra/stacks/tradeflow-stack';
import { CONSOLE_DIST } from '../../local/console-build';
import { contentSecurityPolicy, SECURITY_HEADERS } from '../../console/security-headers';
import { API_FUNCTION_GRANTS } from '../../infra/constructs/crm-api';
import { matchRoute, parseRouteKey } from '../../local/http-api/routing';
import { operationOf, ROUTES, routeKey, type RouteSpec } from '../../schemas/api/routes';
import { HOLDER_MARKS_WITHIN_MS, INDEX_NAMES, indexKeyAttributes } from '../../schemas/keys';
import { EVENT_CATALOGUE } from '../../schemas/events';

/**
 * The synthesized Tradeflow stack, checked the way a user of `cdk deploy` would care: what the table,
 * the user pool, the API and its functions look like, that each function may touch the table only as far
 * as its route needs, that cdk-nag's AwsSolutions pack passes for stated reasons, and that the bundles
 * uploaded to Lambda are sound. The app is synthesized once, into a throw-away cloud assembly. Resources
 * are looked up in the stack with its nested stacks merged in, as the local runtime reads it (a nested
 * resource's id is prefixed with its nested stack's: `ownId` takes the prefix off).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = path.join(ROOT, 'node_modules/.cache/tradeflow-infra-tests');
const MAX_BUNDLE_BYTES = 400 * 1024;

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Statement { Effect: string; Action: string | string[]; Resource: unknown }
interface FunctionProps {
  Architectures: string[];
  Runtime: string;
  Handler: string;
  FunctionName?: string;
  TracingConfig?: { Mode: string };
  LoggingConfig?: { LogGroup?: unknown };
  Environment?: { Variables?: Record<string, unknown> };
  Role: unknown;
  Code: { S3Key: string };
}
interface AssetManifest {
  files: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { objectKey: string }> }>;
}

let outdir: string;
/** every cloud assembly this file wrote, removed at the end */
const outdirs: string[] = [];
let app: App;
let stack: TradeflowStack;
let template: Template;
let synthError: unknown;
/** the stack as the local runtime reads it: its nested stacks' resources merged in */
let assembly: StackArtifact;
let resources: Record<string, CfnResource>;
/**
 * each route of the catalogue with the API Gateway route that a request for it selects (as API Gateway
 * selects: the most specific route key) and the logical id of the function that route's integration invokes
 */
let routeFunctions: { route: RouteSpec; key: string; gatewayRoute: CfnResource['Properties'] | undefined; functionId: string | undefined }[];
const domainOf = (route: RouteSpec) => operationOf(route).domain;

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
/** a resource's logical id in its own stack: a nested resource's merged id without its nested stack's prefix */
const ownId = (id: string) => {
  const nested = assembly.nestedStacks.find((n) => id.startsWith(n.logicalId) && id !== n.logicalId);
  return nested ? id.slice(nested.logicalId.length) : id;
};
/** the first function whose own logical id starts with `prefix` */
const functionIdOf = (prefix: string) => ofType('AWS::Lambda::Function').map(([id]) => id).find((id) => ownId(id).startsWith(prefix))!;
/**
 * Tradeflow's own functions: every function but the one behind CDK's BucketDeployment custom resources
 * (aws-cdk-lib's Python handler that copies the console's build into its bucket at deploy time)
 */
const crmFunctions = () => {
  const providers = new Set(ofType('Custom::CDKBucketDeployment').flatMap(([, d]) => getAttIds(d.Properties.ServiceToken)));
  return ofType('AWS::Lambda::Function').filter(([id]) => !providers.has(id));
};

/** every value of `key` (e.g. "Ref") found anywhere inside a CloudFormation value */
function intrinsics(value: unknown, key: 'Ref' | 'Fn::GetAtt'): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => intrinsics(v, key));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === key ? [v] : intrinsics(v, key)));
  }
  return [];
}
const refs = (value: unknown) => intrinsics(value, 'Ref').filter((v): v is string => typeof v === 'string');
const getAttIds = (value: unknown) =>
  intrinsics(value, 'Fn::GetAtt').map((v) => (Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]));

const functionProps = (functionId: string) => resources[functionId]!.Properties as unknown as FunctionProps;
const tableId = () => ofType('AWS::DynamoDB::GlobalTable')[0]![0];

/** every IAM statement the function's role carries: its own attached policies and inline ones */
function statementsOf(functionId: string): Statement[] {
  const [roleId] = getAttIds(functionProps(functionId).Role);
  const role = resources[roleId!]!;
  const inline = ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[])
    .flatMap((p) => p.PolicyDocument.Statement);
  const attached = ofType('AWS::IAM::Policy')
    .filter(([, p]) => refs(p.Properties.Roles).includes(roleId!))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attached];
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const dynamoActions = (functionId: string) =>
  statementsOf(functionId).filter((s) => s.Effect === 'Allow').flatMap(actionsOf).filter((a) => /^dynamodb:/i.test(a) || a === '*');
/** anything that changes items, including wildcards that would allow it */
const WRITE_ACTION = /^(\*|dynamodb:(\*|Put|Update|Delete|BatchWrite|TransactWrite|PartiQL(Insert|Update|Delete)))/i;

/** the bundle directory of a function, looked up the way `cdk deploy` finds what to upload */
function bundleDirOf(functionId: string): string | undefined {
  const manifest = JSON.parse(readFileSync(path.join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as AssetManifest;
  const { S3Key } = functionProps(functionId).Code;
  const asset = Object.values(manifest.files)
    .find((f) => Object.values(f.destinations).some((d) => d.objectKey === S3Key));
  return asset && asset.source.packaging === 'zip' ? path.join(outdir, asset.source.path) : undefined;
}
const bundleOf = (functionId: string) => path.join(bundleDirOf(functionId) ?? '<no asset>', 'index.mjs');

beforeAll(() => {
  mkdirSync(CACHE, { recursive: true });
  outdirs.push(outdir = mkdtempSync(path.join(CACHE, 'cdk.out-')));
  // synthesize as `cdk synth` does, cdk-nag's policy validation included; should that fail, synthesize again
  // without it (CDK_VALIDATION=false, as the local runtime does), so that every other test still runs and
  // the nag tests say why
  const validation = process.env.CDK_VALIDATION;
  try {
    delete process.env.CDK_VALIDATION;
    ({ app, stack } = buildApp(outdir));
    app.synth();
  } catch (error) {
    synthError = error;
    process.env.CDK_VALIDATION = 'false';
    outdirs.push(outdir = mkdtempSync(path.join(CACHE, 'cdk.out-')));
    ({ app, stack } = buildApp(outdir));
    app.synth();
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  }
  template = Template.fromStack(stack);
  assembly = loadCloudAssembly(outdir).stacks.find((s) => s.artifactId === stack.artifactId)!;
  resources = assembly.resources as Record<string, CfnResource>;
  const patterns = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => ({ routeKey: String(r.Properties.RouteKey), ...parseRouteKey(String(r.Properties.RouteKey)), properties: r.Properties }));
  routeFunctions = ROUTES.map((route) => {
    const key = routeKey(route);
    const examplePath = route.path.replace(/\{(\w+)\}/g, 'some-$1');
    const gatewayRoute = matchRoute(patterns, route.method, examplePath)?.route.properties;
    const integrationId = refs(gatewayRoute?.Target).find((id) => resources[id]?.Type === 'AWS::ApiGatewayV2::Integration');
    const functionId = integrationId ? getAttIds(resources[integrationId]!.Properties.IntegrationUri)[0] : undefined;
    return { route, key, gatewayRoute, functionId };
  });
});

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('the table', () => {
  const table = () => ofType('AWS::DynamoDB::GlobalTable');

  it('is one global table keyed by pk (HASH) and sk (RANGE)', () => {
    expect(table()).toHaveLength(1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    });
  });

  it('has exactly the indexes of schemas/keys/table.ts, each keyed <name>Pk/<name>Sk and projecting all attributes', () => {
    const indexes = table()[0]![1].Properties.GlobalSecondaryIndexes as { IndexName: string }[];
    const expected = INDEX_NAMES.map((name) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: indexKeyAttributes(name).pk, KeyType: 'HASH' },
        { AttributeName: indexKeyAttributes(name).sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }));
    const byName = (a: { IndexName: string }, b: { IndexName: string }) => a.IndexName.localeCompare(b.IndexName);
    expect([...indexes].sort(byName)).toEqual(expected.sort(byName));
  });

  it('keeps point-in-time recovery and deletion protection on in every replica', () => {
    const replicas = table()[0]![1].Properties.Replicas as Record<string, unknown>[];
    expect(replicas.length).toBeGreaterThan(0);
    for (const replica of replicas) {
      expect(replica).toMatchObject({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    }
  });

  it('expires items by their expiresAt attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('streams new and old images', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('is retained when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('sign-in (Cognito)', () => {
  it('has one user pool that requires MFA and carries the departmentId custom attribute', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: Match.arrayWith(['SOFTWARE_TOKEN_MFA']),
      Schema: Match.arrayWith([Match.objectLike({ Name: 'departmentId', AttributeDataType: 'String' })]),
    });
  });

  it('has a group per role in the pool', () => {
    const [poolId] = ofType('AWS::Cognito::UserPool')[0]!;
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties);
    expect(groups.map((g) => g.GroupName).sort()).toEqual(['admin', 'finance', 'marketing', 'ops', 'sales', 'service']);
    for (const group of groups) expect(group.UserPoolId).toEqual({ Ref: poolId });
  });

  it('has an app client of the pool', () => {
    const [poolId] = ofType('AWS::Cognito::UserPool')[0]!;
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { UserPoolId: { Ref: poolId } });
  });

  it('lets only the records function disable, enable and sign out users, and the handover\'s task disable and sign out its leaver, of this pool alone', () => {
    const [poolId] = ofType('AWS::Cognito::UserPool')[0]!;
    const grants = ofType('AWS::Lambda::Function').flatMap(([id]) => statementsOf(id)
      .filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => /^cognito-idp:/.test(a)))
      .map((s) => ({ functionName: functionProps(id).FunctionName ?? ownId(id).replace(/Function[0-9A-F]{8}$/, ''), actions: [...actionsOf(s)].sort(), resource: s.Resource })));
    expect(grants).toEqual(expect.arrayContaining([{
      functionName: 'Tradeflow-api-records',
      actions: ['cognito-idp:AdminDisableUser', 'cognito-idp:AdminEnableUser', 'cognito-idp:AdminUserGlobalSignOut'],
      resource: { 'Fn::GetAtt': [poolId, 'Arn'] },
    }, {
      functionName: 'HandoverStep',
      actions: ['cognito-idp:AdminDisableUser', 'cognito-idp:AdminUserGlobalSignOut'],
      resource: { 'Fn::GetAtt': [poolId, 'Arn'] },
    }]));
    expect(grants).toHaveLength(2);
    expect(functionProps(ofType('AWS::Lambda::Function').find(([id]) => functionProps(id).FunctionName === 'Tradeflow-api-records')![0]).Environment?.Variables?.USER_POOL_ID)
      .toEqual({ Ref: poolId });
  });
});

describe('the HTTP API', () => {
  it('carries every route of the catalogue to its domain\'s function, behind a JWT exactly when the route is for signed-in users', () => {
    const [authorizerId] = ofType('AWS::ApiGatewayV2::Authorizer')[0]!;
    const actual = routeFunctions.map(({ key, route, gatewayRoute, functionId }) => ({
      route: key,
      functionName: functionId && functionProps(functionId).FunctionName,
      type: gatewayRoute?.AuthorizationType,
      authorizer: gatewayRoute?.AuthorizerId,
      domain: domainOf(route),
    }));
    const expected = routeFunctions.map(({ key, route }) => ({
      route: key,
      functionName: `Tradeflow-api-${domainOf(route)}`,
      type: route.auth === 'jwt' ? 'JWT' : 'NONE',
      authorizer: route.auth === 'jwt' ? { Ref: authorizerId } : undefined,
      domain: domainOf(route),
    }));
    expect(actual).toEqual(expected);
    expect(actual.find((r) => r.route === 'GET /openapi.json')?.type).toBe('NONE');
  });

  it('has a proxy route per domain and first path segment, the public routes one by one, and a $default for the rest', () => {
    const keys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => String(r.Properties.RouteKey));
    expect(keys).toContain('ANY /accounts/{proxy+}');
    expect(keys).toContain('$default');
    expect(keys).toContain('POST /events');
    const publicKeys = ofType('AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.AuthorizationType !== 'JWT').map(([, r]) => String(r.Properties.RouteKey));
    expect(publicKeys.sort()).toEqual([...ROUTES.filter((r) => r.auth !== 'jwt').map(routeKey), '$default'].sort());
    expect(keys.length).toBeLessThan(ROUTES.length / 2);
  });

  it('accepts only tokens issued by the user pool for its app client', () => {
    const [poolId] = ofType('AWS::Cognito::UserPool')[0]!;
    const [clientId] = ofType('AWS::Cognito::UserPoolClient')[0]!;
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: {
        Issuer: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^https://cognito-idp\\.'), { Ref: poolId }])] },
        Audience: [{ Ref: clientId }],
      },
    });
  });

  it('logs every request of its stage to a log group', () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage');
    expect(stages.length).toBeGreaterThan(0);
    for (const [, stage] of stages) {
      const settings = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string } | undefined;
      expect(settings?.Format).toContain('$context.requestId');
      const [logGroupId] = getAttIds(settings?.DestinationArn);
      expect(resources[logGroupId!]?.Type).toBe('AWS::Logs::LogGroup');
    }
  });
});

describe('the functions', () => {
  it('are one per domain behind the API: the functions a route reaches are exactly the domains of the catalogue', () => {
    const ids = routeFunctions.map((r) => r.functionId);
    expect(ids.every((id) => id && resources[id]?.Type === 'AWS::Lambda::Function')).toBe(true);
    const domains = [...new Set(ROUTES.map(domainOf))];
    expect(new Set(ids).size).toBe(domains.length);
    expect(domains.sort()).toEqual(Object.keys(API_FUNCTION_GRANTS).sort());
  });

  it('behind no route, only the stream publisher, the outbox relay (fed by the table stream) and its confirmer (fed by SES\'s Send events), the measures consumer, the rule targets of the ERP\'s events and the call centre\'s tickets, and the approval, nurture, promotion, ticket and handover workflows\' tasks', () => {
    const routed = new Set(routeFunctions.map((r) => r.functionId));
    const others = crmFunctions().map(([id]) => id).filter((id) => !routed.has(id));
    expect(others.map((id) => ownId(id).replace(/Function[0-9A-F]{8}$/, '')).sort()).toEqual([
      'AdvanceApproval', 'AwaitApprovalDecisions',
      // work handover: the workflow's one task
      'HandoverStep',
      'MeasuresConsumer', 'NurtureAwaitEngagement', 'NurtureRouter', 'NurtureRunStep',
      'OutboxConfirmSent', 'OutboxRelay',
      // trade promotions: workflow tasks and the ERP events' rule target
      'PromotionsApplyClaimDecision', 'PromotionsApplyPromotionDecision', 'PromotionsReceiveErpEvent', 'PromotionsRequestCloseOut', 'PromotionsSettleCampaign',
      'PublishRecordChanges',
      // service tickets: the call centre's Ticket.Opened's rule target, the SLA workflow's one task function
      'TicketsOpenCallCentreTicket', 'TicketsTicketTask',
      // the approval engine's task with which a workflow withdraws a request it stopped waiting for
      'WithdrawApproval',
    ]);
    const [publisher, router, relay] = ['PublishRecordChanges', 'NurtureRouter', 'OutboxRelay'].map(functionIdOf);
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    const measures = functionIdOf('MeasuresConsumer');
    expect(mappings).toEqual(expect.arrayContaining([
      ...[publisher, relay].map((fn) => expect.objectContaining({ FunctionName: { Ref: fn }, EventSourceArn: { 'Fn::GetAtt': [expect.any(String), 'StreamArn'] } })),
      // the nurture router takes its queue in batches, handing back only the events that failed
      expect.objectContaining({
        FunctionName: { Ref: router }, EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/RouterQueue/), 'Arn'] },
        BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
      // so does the measures consumer
      expect.objectContaining({
        FunctionName: { Ref: measures }, EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/MeasuresQueue/), 'Arn'] },
        BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
      // and the outbox's confirmer, SES's Send events delayed past the relay's own mark
      expect.objectContaining({
        FunctionName: { Ref: functionIdOf('OutboxConfirmSent') }, EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/ConfirmSentQueue/), 'Arn'] },
        BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    ]));
    expect(mappings).toHaveLength(5);
  });

  it('all run index.handler on nodejs22.x, arm64, with active X-Ray tracing', () => {
    for (const [, fn] of crmFunctions()) {
      expect(fn.Properties).toMatchObject({
        Architectures: ['arm64'],
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('each log to a log group with a retention', () => {
    const logGroupIds = ofType('AWS::Lambda::Function').map(([id]) => refs(functionProps(id).LoggingConfig?.LogGroup)[0]);
    for (const id of logGroupIds) {
      expect(resources[id ?? '']?.Type).toBe('AWS::Logs::LogGroup');
      expect(resources[id!]!.Properties.RetentionInDays).toEqual(expect.any(Number));
    }
  });

  it('are told TABLE_NAME exactly when their domain uses the table', () => {
    const actual = routeFunctions.map(({ key, functionId }) => ({
      route: key, tableName: functionProps(functionId!).Environment?.Variables?.TABLE_NAME,
    }));
    const expected = routeFunctions.map(({ key, route }) => ({
      route: key, tableName: API_FUNCTION_GRANTS[domainOf(route)]!.table === 'none' ? undefined : { Ref: tableId() },
    }));
    expect(actual).toEqual(expected);
  });
});

describe('least privilege on the table', () => {
  const routesWith = (access: 'none' | 'read' | 'write') => routeFunctions.filter((r) => API_FUNCTION_GRANTS[domainOf(r.route)]!.table === access);

  it('functions granted reads may read the table but not change it', () => {
    for (const { key, functionId } of routesWith('read')) {
      const actions = dynamoActions(functionId!);
      expect(actions, key).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      expect(actions.filter((a) => WRITE_ACTION.test(a)), key).toEqual([]);
    }
  });

  it('functions granted writes may read and write items', () => {
    expect(routesWith('write').length).toBeGreaterThan(0);
    for (const { key, functionId } of routesWith('write')) {
      expect(dynamoActions(functionId!), key).toEqual(expect.arrayContaining([
        'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem',
      ]));
    }
  });

  it('functions without table access get no DynamoDB permission at all', () => {
    expect(routesWith('none').length).toBeGreaterThan(0);
    for (const { key, functionId } of routesWith('none')) expect(dynamoActions(functionId!), key).toEqual([]);
  });

  it('table permissions name only the table and its indexes, never "*"', () => {
    const tableArn = { 'Fn::GetAtt': [tableId(), 'Arn'] };
    const allowed = [tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }];
    const offending = routeFunctions.flatMap(({ key, functionId }) =>
      statementsOf(functionId!)
        .filter((s) => actionsOf(s).some((a) => /^dynamodb:/i.test(a)))
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
        .filter((resource) => !allowed.some((a) => JSON.stringify(a) === JSON.stringify(resource)))
        .map((resource) => ({ route: key, resource })));
    expect(offending).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  /**
   * every cdk-nag acknowledgement recorded in the app, where it was made, and its reason (not CDK's own
   * acknowledgements of its template checks, such as the S3 log bucket's ACL that CDK itself sets)
   */
  const acknowledgements = () => app.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
      path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason,
    })))
    .filter(({ id }) => id.startsWith('AwsSolutions-')));

  it('lets the app synthesize with its policy validation on, as `cdk synth` does', () => {
    expect(synthError).toBeUndefined();
  });

  it('reports no unacknowledged finding (an error or a warning either one fails `cdk synth`)', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map((v) => ({
      rule: v.ruleName, severity: v.severity, resources: v.violatingResources.map((r) => r.constructPath),
    }));
    expect(findings).toEqual([]);
  });

  it('gives every acknowledgement a reason a reviewer can judge', () => {
    const acks = acknowledgements();
    expect(acks.length).toBeGreaterThan(0);
    const weak = acks.filter(({ id, reason }) =>
      reason.trim().length < 30 || reason.trim().split(/\s+/).length < 6 || reason.includes(id));
    expect(weak).toEqual([]);
  });

  it('acknowledges only findings that really occur (none is stale)', () => {
    // the same stack with every acknowledgement switched off, and without bundling (nag reads no bundle)
    const spy = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
    let bare: App;
    try {
      bare = new App({ outdir: mkdtempSync(path.join(CACHE, 'bare-')), context: { 'aws:cdk:bundling-stacks': [] } });
      new TradeflowStack(bare, stack.stackName, { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: Stack.of(stack).region }, consoleDist: CONSOLE_DIST });
    } finally {
      spy.mockRestore();
    }
    // synthesized first: references into a nested stack become its parameters only then, and findings name
    // those (without CDK's own template checks, which would report the acknowledgements switched off above)
    const validation = process.env.CDK_VALIDATION;
    process.env.CDK_VALIDATION = 'false';
    try {
      bare.synth();
    } finally {
      if (validation === undefined) delete process.env.CDK_VALIDATION;
      else process.env.CDK_VALIDATION = validation;
    }
    const findings = new AwsSolutionsChecks().validateScope(bare).violations
      .flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })));
    rmSync(bare.outdir, { recursive: true, force: true });
    const stale = acknowledgements().filter((ack) =>
      !findings.some((f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))));
    expect(stale).toEqual([]);
  });
});

describe('the bundles uploaded to Lambda', () => {
  const functionIds = () => crmFunctions().map(([id]) => id);

  it('exist in the cloud assembly for every function, as the zip asset its S3 key names', () => {
    const missing = functionIds().filter((id) => !existsSync(bundleOf(id)));
    expect(missing).toEqual([]);
  });

  it('are ES modules exporting handler', () => {
    const notEsm = functionIds().filter((id) => !/\bexport\s*\{[^}]*\bas handler\b[^}]*\}|\bexport\s+(async\s+)?(function|const|let)\s+handler\b/
      .test(readFileSync(bundleOf(id), 'utf8')));
    expect(notEsm).toEqual([]);
  });

  it(`are at most ${MAX_BUNDLE_BYTES / 1024} KB each`, () => {
    const tooBig = functionIds()
      .map((id) => ({ id, bytes: statSync(bundleOf(id)).size }))
      .filter(({ bytes }) => bytes > MAX_BUNDLE_BYTES);
    expect(tooBig).toEqual([]);
  });

  it('leave the AWS SDK to the runtime: DynamoDB client code is imported, not bundled', () => {
    const read = routeFunctions.find((r) => API_FUNCTION_GRANTS[domainOf(r.route)]!.table !== 'none')!;
    expect(readFileSync(bundleOf(read.functionId!), 'utf8')).toMatch(/\b(from|import)\s*\(?\s*["']@aws-sdk\/lib-dynamodb["']/);
    // the DynamoDB protocol's target prefix lives only in @aws-sdk/client-dynamodb's own code
    const bundlingSdk = functionIds().filter((id) => readFileSync(bundleOf(id), 'utf8').includes('DynamoDB_20120810'));
    expect(bundlingSdk).toEqual([]);
  });
});

describe('the event backbone', () => {
  it('is a bus named crm whose every event is archived for replay', () => {
    const [[busId, bus]] = ofType('AWS::Events::EventBus') as [[string, CfnResource]];
    expect(bus.Properties).toMatchObject({ Name: 'crm' });
    const archives = ofType('AWS::Events::Archive').map(([, a]) => a.Properties);
    expect(archives).toEqual([expect.objectContaining({ SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] }, RetentionDays: 365 })]);
  });

  it('gives every rule target retries and its own dead-letter queue, each watched by an alarm', () => {
    const targets = ofType('AWS::Events::Rule').flatMap(([, r]) => r.Properties.Targets as any[]);
    expect(targets.length).toBeGreaterThan(0);
    const queues = new Set(ofType('AWS::SQS::Queue').map(([id]) => id));
    for (const target of targets) {
      // a target that is another bus takes no RetryPolicy; EventBridge's default is these same 185 tries in 24 h
      const isBus = JSON.stringify(target.Arn).includes('Bus');
      if (!isBus) expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
      expect(queues.has(target.DeadLetterConfig.Arn['Fn::GetAtt'][0])).toBe(true);
    }
    const watched = ofType('AWS::CloudWatch::Alarm').map(([, a]) => (a.Properties.Dimensions as any[])[0].Value['Fn::GetAtt'][0]);
    expect(new Set(watched)).toEqual(queues);
  });

  it('runs ERP orders and payments through a Standard state machine that logs ALL and is traced', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine').map(([, m]) => m.Properties).filter((m) => m.StateMachineName === 'tradeflow-record-erp-activity');
    expect(machines).toEqual([expect.objectContaining({
      StateMachineName: 'tradeflow-record-erp-activity',
      StateMachineType: 'STANDARD',
      LoggingConfiguration: expect.objectContaining({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    })]);
    const rule = ofType('AWS::Events::Rule').map(([, r]) => r.Properties as any).find((r) => r.EventPattern?.source?.[0] === 'ext.erp');
    expect(rule.EventPattern['detail-type']).toEqual(['Order.Placed', 'Payment.Received']);
  });

  it('sends SES configuration-set events to the default bus and forwards them to crm', () => {
    const destinations = ofType('AWS::SES::ConfigurationSetEventDestination').map(([, d]) => d.Properties.EventDestination);
    expect(destinations).toEqual([expect.objectContaining({
      Enabled: true,
      EventBridgeDestination: { EventBusArn: expect.objectContaining({ 'Fn::Join': expect.arrayContaining([expect.arrayContaining([':event-bus/default'])]) }) },
      MatchingEventTypes: expect.arrayContaining(['send', 'delivery', 'bounce', 'complaint', 'open', 'click']),
    })]);
    const forward = ofType('AWS::Events::Rule').map(([, r]) => r.Properties as any).find((r) => r.EventPattern?.source?.[0] === 'aws.ses');
    expect(forward.EventBusName).toBe('default');
  });

  it('publishes the whole event catalogue to the schema registry', () => {
    const names = ofType('AWS::EventSchemas::Schema').map(([, s]) => s.Properties.SchemaName).sort();
    expect(names).toEqual(EVENT_CATALOGUE.map((e) => `${e.source}@${e.detailType}`).sort());
  });

  it('gives POST /events only what it needs: the bus, the signing secrets and the table', () => {
    const ingest = routeFunctions.find((r) => r.route.path === '/events' && r.route.method === 'POST')!;
    const actions = statementsOf(ingest.functionId!).filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
    // the table: the quarantine's PutItem, and what Powertools Idempotency does to a key's claim
    expect(actions).toEqual(expect.arrayContaining([
      'events:PutEvents', 'secretsmanager:GetSecretValue', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem',
    ]));
    expect(actions.filter((a: string) => !/^(events:PutEvents|secretsmanager:|dynamodb:|xray:)/.test(a))).toEqual([]);
  });
});

describe('the outbox relay', () => {
  const relayId = () => functionIdOf('OutboxRelay');
  const allowed = () => statementsOf(relayId()).filter((s) => s.Effect === 'Allow');

  it('is woken by new outbox items only, and a failed item is retried (not dropped) without redelivering those before it', () => {
    const [mapping] = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => refs(m.Properties.FunctionName).includes(relayId()));
    expect(mapping![1].Properties).toMatchObject({
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: ['OUTBOX'] } } } }) }] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
    });
    expect(mapping![1].Properties.MaximumRetryAttempts).toBeUndefined();
  });

  it('may read and mark items, put events on the CRM bus, send mail with the CRM\'s configuration set, wake the approval engine and start a handover, and nothing else', () => {
    const actions = allowed().flatMap(actionsOf);
    expect(actions.filter((a: string) => /^dynamodb:/.test(a) && !/Stream|Shard|Records/.test(a)).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actions.filter((a: string) => !/^(dynamodb:|xray:|events:PutEvents$|ses:SendEmail$|states:SendTask(Success|Failure|Heartbeat)$|states:StartExecution$)/.test(a))).toEqual([]);
    const start = allowed().find((s) => actionsOf(s).includes('states:StartExecution'))!;
    expect(JSON.stringify(start.Resource)).toContain(':stateMachine:tradeflow-work-handover');
    expect(JSON.stringify(start.Resource)).not.toContain('*');
    const wake = allowed().find((s) => actionsOf(s).includes('states:SendTaskSuccess'))!;
    expect(JSON.stringify(wake.Resource)).toContain(':stateMachine:tradeflow-approval');
    const putEvents = allowed().find((s) => actionsOf(s).includes('events:PutEvents'))!;
    expect([...refs(putEvents.Resource), ...getAttIds(putEvents.Resource)].some((id) => resources[id ?? '']?.Type === 'AWS::Events::EventBus')).toBe(true);
    const send = allowed().find((s) => actionsOf(s).includes('ses:SendEmail'))!;
    expect(JSON.stringify(send.Resource)).toContain('configuration-set/');
  });

  it('is told by SES\'s Send events of relayed mail only, held in a queue past the relay\'s own mark, through a confirmer that may read and mark items and nothing else', () => {
    const confirmer = functionIdOf('OutboxConfirmSent');
    const mapping = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties).find((m) => refs(m.FunctionName).includes(confirmer))!;
    expect(mapping).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const [queueId] = getAttIds(mapping.EventSourceArn);
    expect(Number(resources[queueId!]!.Properties.DelaySeconds) * 1000).toBeGreaterThanOrEqual(HOLDER_MARKS_WITHIN_MS);
    const rule = ofType('AWS::Events::Rule').find(([, r]) => JSON.stringify(r.Properties.Targets ?? []).includes(queueId!))!;
    expect(rule[1].Properties.EventPattern).toEqual({ source: ['aws.ses'], 'detail-type': ['Email Sent'], detail: { mail: { tags: { outbox: [{ exists: true }] } } } });
    const actions = statementsOf(confirmer).filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
    expect(actions.filter((a: string) => !/^(xray:|sqs:)/.test(a)).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
  });

  it('is the only sender of approval and nurture mail: the approval engine and API and the nurture step only queue it', () => {
    const approvals = routeFunctions.find((r) => r.route.operation.startsWith('approvals/'))!.functionId!;
    for (const id of [approvals, functionIdOf('AdvanceApproval'), functionIdOf('NurtureRunStep')]) {
      expect(statementsOf(id).some((s) => s.Effect === 'Allow' && actionsOf(s).includes('ses:SendEmail'))).toBe(false);
    }
  });
});

describe('the nurture engine', () => {
  const idOf = functionIdOf;
  const allows = (functionId: string, action: string) =>
    statementsOf(functionId).some((s) => s.Effect === 'Allow' && actionsOf(s).includes(action));

  it('lets only its router and the unsubscribe link stop enrolments, and sends no mail itself (its step queues mail in the outbox)', () => {
    const unsubscribe = routeFunctions.find((r) => r.route.operation === 'nurture/unsubscribe-lead')!.functionId!;
    const stoppers = ofType('AWS::Lambda::Function').map(([id]) => id).filter((id) => allows(id, 'states:StopExecution'));
    expect(stoppers.sort()).toEqual([idOf('NurtureRouter'), unsubscribe].sort());
    expect(allows(idOf('NurtureRunStep'), 'ses:SendEmail')).toBe(false);
    expect(allows(idOf('NurtureRouter'), 'ses:SendEmail')).toBe(false);
    expect(allows(idOf('NurtureAwaitEngagement'), 'states:StartExecution')).toBe(false);
  });

  it('signs unsubscribe links with the one mail link secret', () => {
    const secrets = ofType('AWS::SecretsManager::Secret').map(([, s]) => s.Properties.Name);
    expect(secrets.filter((n) => /link/i.test(String(n)))).toEqual(['tradeflow/links']);
    expect(functionProps(idOf('NurtureRunStep')).Environment?.Variables?.LINK_SECRET_ID).toBeDefined();
  });
});

describe('the measures', () => {
  const consumerId = () => functionIdOf('MeasuresConsumer');

  it('has a consumer that reads records and the department tree and adds to aggregates: no Scan, no delete, nothing but the table', () => {
    expect(new Set(dynamoActions(consumerId()))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DescribeTable']));
    const others = statementsOf(consumerId()).filter((s) => s.Effect === 'Allow').flatMap(actionsOf)
      .filter((a) => !/^(dynamodb|logs|xray|sqs):/.test(a));
    expect(others).toEqual([]);
  });

  it('feeds the consumer record changes, the ERP\'s orders and payments and what happens to tickets through one queue, ten at a time, failures handed back alone', () => {
    const rule = ofType('AWS::Events::Rule').find(([id]) => ownId(id).startsWith('MeasuresMeasuredEvents'))![1].Properties;
    expect(rule.EventPattern).toEqual({
      source: ['crm.records', 'ext.erp', 'crm.tickets'],
      'detail-type': ['Record.Changed', 'Order.Placed', 'Payment.Received', 'Ticket.Created', 'Ticket.Reopened', 'Ticket.FirstResponded', 'Ticket.Closed', 'Ticket.Rated'],
    });
    const mapping = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties).find((m) => refs(m.FunctionName).includes(consumerId()))!;
    expect(mapping).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it('serves the tiles from an API function that may only read the table', () => {
    const api = routeFunctions.find((r) => r.route.operation === 'measures/get-measure-tile')!.functionId!;
    expect(dynamoActions(api).some((a) => WRITE_ACTION.test(a))).toBe(false);
  });
});

describe('the web console in the cloud', () => {
  const distributionId = () => ofType('AWS::CloudFront::Distribution')[0]![0];
  const config = () => (resources[distributionId()]!.Properties.DistributionConfig as {
    DefaultCacheBehavior: Record<string, any>;
    CacheBehaviors: Record<string, any>[];
    Origins: Record<string, any>[];
    CustomErrorResponses?: unknown;
  });
  const consoleBehavior = () => config().CacheBehaviors.find((b) => b.PathPattern === '/app/*')!;
  const originOf = (behavior: Record<string, any>) => config().Origins.find((o) => o.Id === behavior.TargetOriginId)!;
  const siteBucketId = () => getAttIds(originOf(consoleBehavior()).DomainName)[0]!;
  const apiId = () => ofType('AWS::ApiGatewayV2::Api')[0]![0];
  const region = () => Stack.of(stack).region;
  /** a BucketDeployment's files as it writes them (each source's staged folder), a deploy-time value shown as `ref:<logical id>` */
  function deployedFiles(prefix: string): Record<string, string> {
    const [, deployment] = ofType('Custom::CDKBucketDeployment').find(([, d]) => d.Properties.DestinationBucketKeyPrefix === prefix)!;
    const manifest = JSON.parse(readFileSync(path.join(outdir, `${stack.artifactId}.assets.json`), 'utf8')) as AssetManifest;
    const keys = deployment.Properties.SourceObjectKeys as string[];
    const markers = (deployment.Properties.SourceMarkers ?? []) as Record<string, unknown>[];
    const files: Record<string, string> = {};
    keys.forEach((key, i) => {
      const asset = Object.values(manifest.files).find((f) => Object.values(f.destinations).some((d) => d.objectKey === key))!;
      const dir = path.join(outdir, asset.source.path);
      for (const name of readdirSync(dir, { recursive: true }) as string[]) {
        if (!statSync(path.join(dir, name)).isFile()) continue;
        let text = readFileSync(path.join(dir, name), 'utf8');
        for (const [marker, value] of Object.entries(markers[i] ?? {})) text = text.replaceAll(marker, `ref:${refs(value).join(',')}`);
        files[name] = text;
      }
    });
    return files;
  }

  it('keeps the console in a private, encrypted bucket that refuses plain HTTP and logs its access', () => {
    const bucket = resources[siteBucketId()]!.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption).toBeDefined();
    expect(bucket.LoggingConfiguration).toMatchObject({ DestinationBucketName: { Ref: expect.any(String) } });
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, p]) => refs(p.Properties.Bucket).includes(siteBucketId()))!;
    const statements = (policy.Properties.PolicyDocument as { Statement: (Statement & Record<string, any>)[] }).Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // the only reader: CloudFront, for this distribution
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toEqual([expect.objectContaining({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } })]);
    expect(refs(allows[0]!.Condition)).toContain(distributionId());
  });

  it('serves /app/ from the bucket through Origin Access Control, and every other path from the API', () => {
    const s3Origin = originOf(consoleBehavior());
    expect(s3Origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    const [oacId] = getAttIds(s3Origin.OriginAccessControlId);
    expect(resources[oacId!]!.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    const apiOrigin = originOf(config().DefaultCacheBehavior);
    expect(getAttIds(apiOrigin.DomainName)).toEqual([apiId()]);
    expect(apiOrigin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
  });

  it('answers plain HTTP with a redirect to HTTPS, on every path', () => {
    for (const behavior of [config().DefaultCacheBehavior, ...config().CacheBehaviors]) expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  it('passes API calls through uncached with their Authorization header, so the console calls the API on its own origin without CORS', () => {
    expect(config().DefaultCacheBehavior).toMatchObject({
      CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
      OriginRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
    });
    expect(resources[apiId()]!.Properties.CorsConfiguration).toBeUndefined();
  });

  it('sends the console with HSTS and the strict content security policy of console/security-headers.ts, which lets it reach only itself and Cognito', () => {
    const [policyId] = refs(consoleBehavior().ResponseHeadersPolicyId);
    const headers = (resources[policyId!]!.Properties.ResponseHeadersPolicyConfig as Record<string, any>).SecurityHeadersConfig;
    const csp = headers.ContentSecurityPolicy.ContentSecurityPolicy as string;
    expect(csp).toBe(contentSecurityPolicy([`https://cognito-idp.${region()}.amazonaws.com`]));
    expect(csp).toContain(`connect-src 'self' https://cognito-idp.${region()}.amazonaws.com;`);
    expect(csp).toMatch(/script-src 'self';/);
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(365 * 24 * 3600);
    expect(headers).toMatchObject({
      FrameOptions: { FrameOption: 'DENY' }, ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: SECURITY_HEADERS['referrer-policy'] },
    });
  });

  it('answers the console\'s deep links with its page through a viewer-request function on both behaviours (no error responses, which would hide the API\'s own 403 and 404)', () => {
    const [fnId] = ofType('AWS::CloudFront::Function')[0]!;
    for (const behavior of [config().DefaultCacheBehavior, consoleBehavior()]) {
      expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } }]);
    }
    expect(config().CustomErrorResponses).toBeUndefined();
  });

  it('deploys the build under app/ and app/config.json naming the stack\'s user pool and client, the API on the same origin', () => {
    const page = deployedFiles('app/');
    expect(Object.keys(page).sort()).toEqual(['config.json', 'index.html']);
    expect(JSON.parse(page['config.json']!)).toEqual({
      mode: 'cognito', apiUrl: '/', region: region(),
      userPoolId: `ref:${ofType('AWS::Cognito::UserPool')[0]![0]}`,
      clientId: `ref:${ofType('AWS::Cognito::UserPoolClient')[0]![0]}`,
    });
    expect(page['index.html']).toContain('/app/assets/');
    const assets = Object.keys(deployedFiles('app/assets/'));
    expect(assets.length).toBeGreaterThan(0);
    // the page's scripts and styles are among them
    for (const [, file] of page['index.html']!.matchAll(/\/app\/assets\/([\w.-]+)/g)) expect(assets).toContain(file);
  });

  it('outputs the console\'s URL', () => {
    expect(Object.values(template.toJSON().Outputs as Record<string, { Value: unknown }>).map((o) => o.Value)).toContainEqual(
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(), 'DomainName'] }, '/app/']] });
  });

  it('gives every function that sends mail the console\'s URL, so mail links open the console where it is served', () => {
    const withConsoleUrl = ofType('AWS::Lambda::Function')
      .map(([, fn]) => (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.CONSOLE_URL)
      .filter((url) => url !== undefined);
    expect(withConsoleUrl.length).toBeGreaterThan(0);
    for (const url of withConsoleUrl) {
      expect(url).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(), 'DomainName'] }, '/app/']] });
    }
  });

  it('copies the build at deploy time with CDK\'s BucketDeployment handler, the one function that is not Tradeflow\'s', () => {
    const others = ofType('AWS::Lambda::Function').filter(([id]) => !crmFunctions().some(([own]) => own === id));
    expect(others.length).toBe(1);
    expect(ofType('Custom::CDKBucketDeployment').flatMap(([, d]) => getAttIds(d.Properties.ServiceToken))).toEqual([others[0]![0], others[0]![0]]);
  });
});

describe('the stack', () => {
  it('lets API Gateway invoke exactly the domain API functions, by their names, without a resource policy per function', () => {
    expect(ofType('AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com')).toEqual([]);
    const credentials = new Set(ofType('AWS::ApiGatewayV2::Integration').flatMap(([, i]) => getAttIds(i.Properties.CredentialsArn)));
    expect(credentials.size).toBe(1);
    const [invoker] = [...credentials];
    const grants = ofType('AWS::IAM::Policy').filter(([, p]) => refs(p.Properties.Roles).includes(invoker!))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(grants.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    const prefix = JSON.stringify(grants[0]!.Resource).match(/function:([^"*]+)\*/)![1]!;
    const routed = new Set(routeFunctions.map((r) => r.functionId));
    for (const [id, fn] of crmFunctions()) {
      expect(String(fn.Properties.FunctionName ?? '').startsWith(prefix), id).toBe(routed.has(id));
    }
  });

  it('stays within its budget of 300 resources, leaving room below CloudFormation\'s 500 per stack', () => {
    expect(Object.keys(template.toJSON().Resources as object).length).toBeLessThanOrEqual(300);
  });

  it('keeps each nested stack within the same budget of 300', () => {
    expect(assembly.nestedStacks.length).toBeGreaterThan(0);
    const over = assembly.nestedStacks
      .map((n) => ({ stack: n.logicalId, resources: Object.keys(n.template.Resources ?? {}).length }))
      .filter((n) => n.resources > 300);
    expect(over).toEqual([]);
  });

  it('deploys the nurture engine in a nested stack of its own: its workflow, functions, rules with their queues and alarms, and mail templates', () => {
    const nurture = assembly.nestedStacks.filter((n) => n.logicalId.startsWith('NurtureNestedStack'));
    expect(nurture).toHaveLength(1);
    const types = new Set(Object.values(nurture[0]!.template.Resources ?? {}).map((r) => r.Type));
    for (const type of ['AWS::StepFunctions::StateMachine', 'AWS::Lambda::Function', 'AWS::Events::Rule', 'AWS::SQS::Queue', 'AWS::CloudWatch::Alarm', 'AWS::SES::Template']) {
      expect(types, type).toContain(type);
    }
    const inParent = Object.keys(template.toJSON().Resources as object).filter((id) => /^Nurture(?!NestedStack)/.test(id));
    expect(inParent).toEqual([]);
  });
});
