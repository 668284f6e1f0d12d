import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnStage} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccountRecovery, CfnUserPoolGroup, FeaturePlan, Mfa, StringAttribute, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../schemas/api/routes';
import { ROLES } from '../../schemas/common';
import { CrmFunction } from './crm-function';
import type { InboundSystems } from './inbound-systems';

/**
 * What a route's function may do to the table. Narrower than grantReadData: requests are GetItem/Query
 * on known keys and never Scan (DESIGN.md decision 3); transactions need the actions of their parts.
 */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const TABLE_ACTIONS = {
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

  constructor(scope: Construct, id: string, props: { table: TableV2; bus: IEventBus; inbound: InboundSystems }) {
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

    for (const route of ROUTES) {
      const id = route.handler.replace(/\//g, '-');
      const uses = new Set(route.uses ?? []);
      const fn = new CrmFunction(this, id, {
        handler: route.handler,
        environment: {
          ...(route.access === 'none' ? {} : { TABLE_NAME: props.table.tableName }),
          ...(uses.has('eventBus') ? { EVENT_BUS_NAME: props.bus.eventBusName } : {}),
          ...(uses.has('inboundSecrets') ? { INBOUND_SECRET_IDS: props.inbound.secretIds() } : {}),
        },
      });
      if (route.access !== 'none') props.table.grant(fn.fn, ...TABLE_ACTIONS[route.access]);
      if (uses.has('eventBus')) props.bus.grantPutEventsTo(fn.fn);
      if (uses.has('inboundSecrets')) for (const secret of Object.values(props.inbound.secrets)) secret.grantRead(fn.fn);
      this.functions.push(fn);
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${id}-integration`, fn.fn),
        ...(route.auth !== 'jwt' ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (route.auth !== 'jwt' && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: route.auth === 'signature'
            ? `${route.method} ${route.path} is called by other systems, not users: each request is authenticated by its system's HMAC signature in the handler.`
            : `${route.method} ${route.path} is public by design: ${route.summary}.`,
        });
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
  }
}
