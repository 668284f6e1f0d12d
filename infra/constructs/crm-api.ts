import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnStage} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { AccountRecovery, CfnUserPoolGroup, FeaturePlan, Mfa, StringAttribute, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { openApiDocument } from '../../schemas/api/openapi';
import { OPENAPI_FILE } from '../../schemas/api/routes/docs';
import { operationOf, ROUTES, type RouteSpec } from '../../schemas/api/routes';
import { ROLES } from '../../schemas/common';
import { CrmFunction } from './crm-function';
import { InvokedByApiRole } from './invoked-by-api-role';
import type { InboundSystems } from './inbound-systems';
import type { CrmMail } from './crm-mail';

/**
 * What a route's function may do to the table. Narrower than grantReadData: requests are GetItem/Query
 * on known keys and never Scan (DESIGN.md decision 3); transactions need the actions of their parts.
 */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
export const TABLE_ACTIONS = {
  read: READ_ACTIONS,
  write: [...READ_ACTIONS, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
};

type ApiUse = 'eventBus' | 'inboundSecrets' | 'approvalSignals' | 'promotionSignals' | 'ticketSignals' | 'linkSecret' | 'userSignIn';

/**
 * What each domain's API function may reach: the table (none, read, write) and the other services its
 * routes need. The route catalogue says what the routes are; what they may touch is the deployment's business.
 */
export const API_FUNCTION_GRANTS: Record<string, { table: keyof typeof TABLE_ACTIONS | 'none'; uses: ApiUse[] }> = {
  // a user set inactive or deleted is disabled in the user pool and signed out; set active, enabled again
  records: { table: 'write', uses: ['userSignIn'] },
  approvals: { table: 'write', uses: ['eventBus', 'approvalSignals', 'linkSecret'] },
  // what it announces goes through the outbox
  promotions: { table: 'write', uses: ['promotionSignals'] },
  // and stopping a lead's enrolments when they unsubscribe: granted with the nurture engine
  nurture: { table: 'write', uses: ['linkSecret'] },
  events: { table: 'write', uses: ['eventBus', 'inboundSecrets'] },
  // an agent's action wakes the ticket's SLA wait; a closed ticket's survey mail carries signed links
  tickets: { table: 'write', uses: ['ticketSignals', 'linkSecret'] },
  docs: { table: 'none', uses: [] },
  // reads the aggregates the measures consumer writes (infra/constructs/measures.ts)
  measures: { table: 'read', uses: [] },
};

export interface GatewayRoute { method: 'ANY' | RouteSpec['method']; path: string; domain: string; auth: RouteSpec['auth'] }

/**
 * The API Gateway routes that carry the catalogue: per domain, a proxy route for each first path
 * segment its signed-in routes use (`ANY /accounts`, `ANY /accounts/{proxy+}`), behind the JWT
 * authorizer; the public and system-signed routes one by one, without it. The domain's router then
 * finds the catalogue route, or answers 404/405 itself.
 */
export function gatewayRoutes(routes: RouteSpec[]): GatewayRoute[] {
  const result = new Map<string, GatewayRoute>();
  const add = (route: GatewayRoute) => {
    const key = `${route.method} ${route.path}`;
    const known = result.get(key);
    if (known && (known.domain !== route.domain || known.auth !== route.auth)) {
      throw new Error(`${key} would serve both ${known.domain} (${known.auth}) and ${route.domain} (${route.auth}): give one of them another path`);
    }
    result.set(key, route);
  };
  for (const route of routes) {
    const { domain } = operationOf(route);
    if (route.auth !== 'jwt') {
      add({ method: route.method, path: route.path, domain, auth: route.auth });
      continue;
    }
    const [first = '', ...rest] = route.path.slice(1).split('/');
    add({ method: 'ANY', path: rest.length ? `/${first}/{proxy+}` : `/${first}`, domain, auth: 'jwt' });
  }
  return [...result.values()];
}

/**
 * The HTTP API: a Cognito user pool (a group per role, the department as a custom attribute), a JWT
 * authorizer, and one function per domain behind proxy routes, each granted what its routes need.
 */
export class CrmApi extends Construct {
  readonly api: HttpApi;
  readonly userPool: UserPool;
  /** the web console's app client of the pool */
  readonly client: UserPoolClient;
  readonly functions: CrmFunction[] = [];
  private readonly domainFunctions = new Map<string, CrmFunction>();

  constructor(scope: Construct, id: string, props: { table: TableV2; bus: IEventBus; inbound: InboundSystems; mail: CrmMail }) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: true },
      customAttributes: { departmentId: new StringAttribute({ mutable: true }) },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      featurePlan: FeaturePlan.PLUS,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of ROLES) {
      new CfnUserPoolGroup(this, `Group-${role}`, { userPoolId: this.userPool.userPoolId, groupName: role });
    }
    const client = this.client = this.userPool.addClient('WebConsole', {
      authFlows: { userSrp: true },
      // the console signs in with SRP; no hosted UI, so none of the OAuth flows (and their callbacks) exist
      disableOAuth: true,
      idTokenValidity: Duration.hours(1),
      preventUserExistenceErrors: true,
    });
    const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    const authorizer = new HttpJwtAuthorizer('Cognito', issuer, { jwtAudience: [client.userPoolClientId] });

    this.api = new HttpApi(this, 'Api', { defaultAuthorizer: authorizer, createDefaultStage: true });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId', ip: '$context.identity.sourceIp', routeKey: '$context.routeKey',
        status: '$context.status', user: '$context.authorizer.claims.cognito:username', latencyMs: '$context.responseLatency',
      }),
    };

    // API Gateway invokes the domain functions as this role, which may invoke them and nothing else: they
    // are named <stack>-api-<domain>, and no other function has that prefix
    const stack = Stack.of(this);
    const namePrefix = `${stack.stackName}-api-`;
    const invoker = new Role(this, 'Invoker', { assumedBy: new ServicePrincipal('apigateway.amazonaws.com'), description: 'The HTTP API invokes its domain functions as this role' });
    invoker.addToPolicy(new PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [stack.formatArn({ service: 'lambda', resource: 'function', resourceName: `${namePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    Validations.of(invoker).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:${stack.region}:<AWS::AccountId>:function:${namePrefix}*]`,
      reason: `The API invokes its domain functions, all named ${namePrefix}<domain> and no others: one grant instead of a resource policy per function.`,
    });

    const domains = [...new Set(ROUTES.map((route) => operationOf(route).domain))];
    for (const domain of domains) {
      const grants = API_FUNCTION_GRANTS[domain];
      if (!grants) throw new Error(`the route catalogue names the domain ${domain}, which API_FUNCTION_GRANTS does not grant anything`);
      const uses = new Set(grants.uses);
      const functionName = `${namePrefix}${domain}`;
      if (functionName.length > 64) throw new Error(`${functionName}: a function name has at most 64 characters`);
      const fn = new CrmFunction(this, `Api-${domain}`, {
        handler: `${domain}/api`,
        functionName,
        // the OpenAPI document, built from the catalogue here rather than at each cold start (that would load every domain's schemas)
        ...(domain === 'docs' ? { files: { [OPENAPI_FILE]: JSON.stringify(openApiDocument()) } } : {}),
        environment: {
          ...(grants.table === 'none' ? {} : { TABLE_NAME: props.table.tableName }),
          ...(uses.has('eventBus') ? { EVENT_BUS_NAME: props.bus.eventBusName } : {}),
          ...(uses.has('inboundSecrets') ? { INBOUND_SECRET_IDS: props.inbound.secretIds() } : {}),
          ...(uses.has('linkSecret') ? props.mail.environment() : {}),
          ...(uses.has('userSignIn') ? { USER_POOL_ID: this.userPool.userPoolId } : {}),
        },
      });
      if (grants.table !== 'none') props.table.grant(fn.fn, ...TABLE_ACTIONS[grants.table]);
      if (uses.has('eventBus')) props.bus.grantPutEventsTo(fn.fn);
      if (uses.has('inboundSecrets')) for (const secret of Object.values(props.inbound.secrets)) secret.grantRead(fn.fn);
      if (uses.has('linkSecret')) props.mail.linkSecret.grantRead(fn.fn);
      if (uses.has('userSignIn')) this.userPool.grant(fn.fn, 'cognito-idp:AdminDisableUser', 'cognito-idp:AdminEnableUser', 'cognito-idp:AdminUserGlobalSignOut');
      this.domainFunctions.set(domain, fn);
      this.functions.push(fn);
    }

    const integrations = new Map<string, InvokedByApiRole>();
    const integrationOf = (domain: string) => integrations.get(domain)
      ?? integrations.set(domain, new InvokedByApiRole(`${domain}-integration`, this.domainFunctions.get(domain)!.fn, invoker)).get(domain)!;
    for (const gatewayRoute of gatewayRoutes(ROUTES)) {
      const [httpRoute] = this.api.addRoutes({
        path: gatewayRoute.path,
        methods: [HttpMethod[gatewayRoute.method]],
        integration: integrationOf(gatewayRoute.domain),
        ...(gatewayRoute.auth !== 'jwt' ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (gatewayRoute.auth !== 'jwt' && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: gatewayRoute.auth === 'signature'
            ? `${gatewayRoute.method} ${gatewayRoute.path} is called by other systems, not users: each request is authenticated by its system's HMAC signature in the handler.`
            : gatewayRoute.path === '/openapi.json'
              ? `${gatewayRoute.method} ${gatewayRoute.path} is public by design: the API's description; it reads no records.`
              : `${gatewayRoute.method} ${gatewayRoute.path} is opened from a link in mail without signing in: the link's signed, expiring token is the credential, checked by the handler.`,
        });
      }
    }

    // whatever no route matches gets the docs function's problem+json 404, not API Gateway's bare {"message"}
    const fallback = new HttpRoute(this, 'Unmatched', {
      httpApi: this.api, routeKey: HttpRouteKey.DEFAULT, integration: integrationOf('docs'), authorizer: new HttpNoneAuthorizer(),
    });
    Validations.of(fallback).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route answers requests no other route matches with a 404 (problem+json) from the docs function, which reads no records.',
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
  }

  /** The API functions that use `what` (e.g. the ones that wake a waiting approval). */
  functionsThatUse(what: ApiUse): CrmFunction[] {
    return Object.entries(API_FUNCTION_GRANTS).filter(([, grants]) => grants.uses.includes(what)).map(([domain]) => this.apiFunction(domain));
  }

  /** The domain's API function (functions/<domain>/api.ts). */
  apiFunction(domain: string): CrmFunction {
    const fn = this.domainFunctions.get(domain);
    if (!fn) throw new Error(`no API function for the domain ${domain}`);
    return fn;
  }
}
