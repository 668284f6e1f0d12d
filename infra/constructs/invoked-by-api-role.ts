import {
  HttpIntegrationType, HttpRouteIntegration, IntegrationCredentials, PayloadFormatVersion,
  type HttpRouteIntegrationBindOptions, type HttpRouteIntegrationConfig,
} from 'aws-cdk-lib/aws-apigatewayv2';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IRole } from 'aws-cdk-lib/aws-iam';

/**
 * A Lambda proxy integration that API Gateway calls with a role of its own (the integration's
 * credentials), not through a resource-based permission on each function: CDK's HttpLambdaIntegration
 * adds one AWS::Lambda::Permission per route, and at one stack's 500-resource limit those were the
 * cheapest to give up. The role may invoke exactly the route functions (granted by the caller).
 */
export class InvokedByApiRole extends HttpRouteIntegration {
  constructor(id: string, private readonly fn: IFunction, private readonly role: IRole) {
    super(id);
  }

  bind(_options: HttpRouteIntegrationBindOptions): HttpRouteIntegrationConfig {
    return {
      type: HttpIntegrationType.AWS_PROXY,
      uri: this.fn.functionArn,
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      credentials: IntegrationCredentials.fromRole(this.role),
    };
  }
}
