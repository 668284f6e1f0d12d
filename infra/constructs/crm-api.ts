import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnStage} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { AccountRecovery, CfnUserPoolGroup, FeaturePlan, Mfa, StringAttribute, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ROUTES } from '../../schemas/api/routes';
import { ROLES } from '../../schemas/common';
import { CrmFunction } from './crm-function';
import { InvokedByApiRole } from './invoked-by-api-role';
import type { InboundSystems } from './inbound-systems';
import type { CrmMail } from './crm-mail';
import type { RouteSpec } from '../../schemas/api/routes';

/**
 * What a route's function may do to the table. Narrower than grantReadData: requests are GetItem/Query
 * on known keys and never Scan (DESIGN.md decision 3); transactions need the actions of their parts.
 */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
export const TABLE_ACTIONS = {
  read: READ_ACTIONS,
  write: [...READ_ACTIONS, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
};

/**
 * The HTTP API: a Cognito user pool (a group per role, the department as a custom attribute), a JWT
 * authorizer, and one function per route of the route catalogue, each granted only the table access
 * its route needs.
 */
export class CrmApi extends Construct {
  readonly api: HttpApi;
  readonly userPool: UserPool;
  readonly functions: CrmFunction[] = [];
  private readonly routeFunctions: { route: RouteSpec; fn: CrmFunction }[] = [];

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
    const client = this.userPool.addClient('WebConsole', {
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

    // routes granted exactly the same share one role; a domain's routes share one log group (each line
    // names its function): a role, its policy and a log group per route would exceed a stack's 500 resources
    const roles = new Map<string, Role>();
    const logGroups = new Map<string, LogGroup>();
    const shared = <T>(cache: Map<string, T>, key: string, make: () => T) => cache.get(key) ?? cache.set(key, make()).get(key)!;
    // API Gateway invokes the route functions as this role, which may invoke them and nothing else: they
    // are named <stack>-api-<handler>, and no other function has that prefix
    const stack = Stack.of(this);
    const namePrefix = `${stack.stackName}-api-`;
    const invoker = new Role(this, 'Invoker', { assumedBy: new ServicePrincipal('apigateway.amazonaws.com'), description: 'The HTTP API invokes its route functions as this role' });
    invoker.addToPolicy(new PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [stack.formatArn({ service: 'lambda', resource: 'function', resourceName: `${namePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    Validations.of(invoker).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:${stack.region}:<AWS::AccountId>:function:${namePrefix}*]`,
      reason: `The API invokes its route functions, all named ${namePrefix}<handler> and no others: one grant instead of a resource policy per function, which would cost a stack resource per route.`,
    });
    for (const route of ROUTES) {
      const id = route.handler.replace(/\//g, '-');
      const uses = new Set(route.uses ?? []);
      const domain = route.handler.split('/')[0]!;
      // a role's permissions follow from the table access and the other services alone (not the domain)
      const grants = [route.access, ...[...uses].sort()].join('-');
      const role = shared(roles, grants, () => {
        const r = new Role(this, `Role-${grants}`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `Functions of routes with ${route.access} table access${uses.size ? ` using ${[...uses].join(', ')}` : ''}` });
        r.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'));
        return r;
      });
      const logGroup = shared(logGroups, domain, () => new LogGroup(this, `Logs-${domain}`, { retention: RetentionDays.ONE_MONTH }));
      const functionName = `${namePrefix}${id}`;
      if (functionName.length > 64) throw new Error(`${functionName}: a function name has at most 64 characters; shorten the handler's name`);
      const fn = new CrmFunction(this, id, {
        handler: route.handler,
        functionName,
        role,
        logGroup,
        environment: {
          ...(route.access === 'none' ? {} : { TABLE_NAME: props.table.tableName }),
          ...(uses.has('eventBus') ? { EVENT_BUS_NAME: props.bus.eventBusName } : {}),
          ...(uses.has('inboundSecrets') ? { INBOUND_SECRET_IDS: props.inbound.secretIds() } : {}),
          ...(uses.has('mail') || uses.has('linkSecret') ? props.mail.environment() : {}),
        },
      });
      if (route.access !== 'none') props.table.grant(fn.fn, ...TABLE_ACTIONS[route.access]);
      if (uses.has('eventBus')) props.bus.grantPutEventsTo(fn.fn);
      if (uses.has('inboundSecrets')) for (const secret of Object.values(props.inbound.secrets)) secret.grantRead(fn.fn);
      if (uses.has('mail')) props.mail.grantSend(fn.fn);
      else if (uses.has('linkSecret')) props.mail.linkSecret.grantRead(fn.fn);
      this.functions.push(fn);
      this.routeFunctions.push({ route, fn });
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new InvokedByApiRole(`${id}-integration`, fn.fn, invoker),
        ...(route.auth !== 'jwt' ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (route.auth !== 'jwt' && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: route.auth === 'signature'
            ? `${route.method} ${route.path} is called by other systems, not users: each request is authenticated by its system's HMAC signature in the handler.`
            : uses.has('linkSecret')
              ? `${route.method} ${route.path} is opened from a link in mail without signing in: the link's signed, expiring token is the credential, checked by the handler.`
              : `${route.method} ${route.path} is public by design: ${route.summary}; it reads no records.`,
        });
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
  }

  /** The functions of the routes that use `what` (e.g. the ones that wake a waiting approval). */
  functionsThatUse(what: NonNullable<RouteSpec['uses']>[number]): CrmFunction[] {
    return this.routeFunctions.filter(({ route }) => route.uses?.includes(what)).map(({ fn }) => fn);
  }
}
