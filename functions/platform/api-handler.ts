import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { invalidField } from './errors';
import { internalError, isDomainError, json, problem } from './http';
import { logger, metrics, tracer } from './observability';
import { principalFrom, type Principal } from './principal';

export interface ApiRequest {
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
  /** the caller; throws 401 when the route has no verified token */
  principal(): Principal;
  path(name: string): string;
  query: Record<string, string>;
  /** the body as sent (decoded when API Gateway base64-encoded it); '' when there is none */
  rawBody(): string;
  /** the body parsed as JSON; 400 when absent or not JSON */
  body(): unknown;
  now: string;
}
/** JSON by default; with contentType, body is the text to send as it is (a page a mail link opens). */
export type ApiResult = { status: number; body: unknown; contentType?: string; headers?: Record<string, string> };
export type ApiRoute = (request: ApiRequest) => Promise<ApiResult>;

const rawBodyOf = (event: APIGatewayProxyEventV2WithJWTAuthorizer) =>
  !event.body ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;

function jsonBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): unknown {
  const text = rawBodyOf(event);
  if (!text) throw invalidField('body', 'is required (a JSON object)');
  try {
    return JSON.parse(text);
  } catch {
    throw invalidField('body', 'is not valid JSON');
  }
}

/**
 * The one middleware stack of every HTTP handler: Powertools logger (with the request's correlation id),
 * metrics and tracer; the route's domain errors become problem+json here and nowhere else.
 */
export function apiHandler(route: ApiRoute) {
  const base = async (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const correlationId = event.headers?.['x-correlation-id'] ?? event.requestContext?.requestId ?? context.awsRequestId;
    logger.setCorrelationId(correlationId);
    const headers = { 'x-correlation-id': correlationId };
    try {
      const request: ApiRequest = {
        event,
        principal: () => principalFrom(event),
        path: (name) => {
          const value = event.pathParameters?.[name];
          if (!value) throw invalidField(`path.${name}`, 'is required');
          return value;
        },
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        rawBody: () => rawBodyOf(event),
        body: () => jsonBody(event),
        now: new Date().toISOString(),
      };
      const result = await route(request);
      if (result.contentType) {
        return { statusCode: result.status, headers: { ...result.headers, 'content-type': result.contentType, ...headers }, body: String(result.body) };
      }
      return json(result.status, result.body, headers);
    } catch (error) {
      if (isDomainError(error)) {
        logger.info('request refused', { kind: error.kind, detail: error.message });
        const response = problem(error, event.rawPath);
        return { ...response, headers: { ...response.headers, ...headers } };
      }
      logger.error('request failed', error as Error);
      const response = internalError(correlationId);
      return { ...response, headers: { ...response.headers, ...headers } };
    }
  };
  return middy(base)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
