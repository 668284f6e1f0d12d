import type { CfnResources } from '../../../local/http-api/http-apis-from-template';

/**
 * A template fragment shaped like CDK's synthesized HttpApi (routes target `integrations/<Ref>` through an
 * Fn::Join, the issuer is built from the region and the user pool), and a resolver that stands in for the
 * local intrinsic resolver.
 */
export const REGION = 'eu-central-1';
export const USER_POOL_ID = `${REGION}_LocalPool`;
export const CLIENT_ID = 'local-web-client';
export const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
export const functionArn = (logicalId: string) => `arn:aws:lambda:${REGION}:000000000000:function:${logicalId}`;

const integrationTarget = (integration: string) => ({ 'Fn::Join': ['', ['integrations/', { Ref: integration }]] });

export const RESOURCES: CfnResources = {
  UserPool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
  UserPoolClient: { Type: 'AWS::Cognito::UserPoolClient', Properties: { UserPoolId: { Ref: 'UserPool' } } },
  AccountsFn: { Type: 'AWS::Lambda::Function', Properties: {} },
  Api: {
    Type: 'AWS::ApiGatewayV2::Api',
    Properties: {
      Name: 'CrmApi',
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['http://localhost:5173'],
        AllowMethods: ['*'],
        AllowHeaders: ['authorization', 'content-type'],
        ExposeHeaders: ['x-request-id'],
        MaxAge: 3600,
        AllowCredentials: true,
      },
    },
  },
  ApiAccountsIntegration: {
    Type: 'AWS::ApiGatewayV2::Integration',
    Properties: {
      ApiId: { Ref: 'Api' },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': ['AccountsFn', 'Arn'] },
      PayloadFormatVersion: '2.0',
    },
  },
  ApiGetAccountRoute: {
    Type: 'AWS::ApiGatewayV2::Route',
    Properties: {
      ApiId: { Ref: 'Api' },
      RouteKey: 'GET /accounts/{id}',
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: 'ApiJwtAuthorizer' },
      Target: integrationTarget('ApiAccountsIntegration'),
    },
  },
  ApiPostEventsRoute: {
    Type: 'AWS::ApiGatewayV2::Route',
    Properties: {
      ApiId: { Ref: 'Api' },
      RouteKey: 'POST /events',
      AuthorizationType: 'NONE',
      Target: integrationTarget('ApiAccountsIntegration'),
    },
  },
  ApiJwtAuthorizer: {
    Type: 'AWS::ApiGatewayV2::Authorizer',
    Properties: {
      ApiId: { Ref: 'Api' },
      AuthorizerType: 'JWT',
      Name: 'Jwt',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: 'UserPoolClient' }],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: 'UserPool' }]] },
      },
    },
  },
};

const REFS: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': '000000000000',
  UserPool: USER_POOL_ID,
  UserPoolClient: CLIENT_ID,
  Api: 'localapi01',
};

/** Resolves Ref, Fn::GetAtt [fn, Arn] and Fn::Join; everything else is returned as it is. */
export function stubResolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stubResolve);
  if (value === null || typeof value !== 'object') return value;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return REFS[node.Ref] ?? node.Ref;
  if (Array.isArray(node['Fn::GetAtt'])) return functionArn(String(node['Fn::GetAtt'][0]));
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(stubResolve).join(separator);
  }
  return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, stubResolve(inner)]));
}
