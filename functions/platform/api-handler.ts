import middy from '@middy/core';
import httpRouterHandler, { type Method } from '@middy/http-router';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { operationOf, type RouteSpec } from '../../schemas/api/route-spec';
import { invalidField, methodNotAllowed, notFound, unauthenticated } from './errors';
import { internalError, isDomainError, json, problem } from './http';
import { logger, metrics } from './observability';
import { resolvePrincipal, type Principal } from './principal';

export interface ApiRequest {
  event: APIGatewayProxyEventV2WithJWTAuthorizer;
  /** the Lambda context: its remaining time bounds how long a claim made by this request may hold */
  context: Context;
  /** the caller, as their user record says (read before a signed-in route runs); 401 on a route without sign-in */
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

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

const rawBodyOf = (event: Event) =>
  !event.body ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;

function jsonBody(event: Event): unknown {
  const text = rawBodyOf(event);
  if (!text) throw invalidField('body', 'is required (a JSON object)');
  try {
    return JSON.parse(text);
  } catch {
    throw invalidField('body', 'is not valid JSON');
  }
}

function decodedPathParameter(event: Event, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw invalidField(`path.${name}`, 'is required');
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalidField(`path.${name}`, 'is not a valid URL path segment');
  }
}

function requestOf(event: Event, context: Context, principal: Principal | undefined): ApiRequest {
  return {
    event,
    context,
    principal: () => {
      if (!principal) throw unauthenticated('this route is not signed in, so it has no caller');
      return principal;
    },
    path: (name) => decodedPathParameter(event, name),
    query: (event.queryStringParameters ?? {}) as Record<string, string>,
    rawBody: () => rawBodyOf(event),
    body: () => jsonBody(event),
    now: new Date().toISOString(),
  };
}

/**
 * Finds the catalogue route a request is for with @middy/http-router: the one that API Gateway's
 * proxy route handed over, with its own path parameters. A path the catalogue knows under another
 * method is a 405 naming the methods it has; any other is a 404.
 */
function dispatcher(routes: { spec: RouteSpec; run: ApiRoute }[]) {
  const byMethod = lookup(routes.map((route) => ({ method: route.spec.method, path: route.spec.path, value: route })));
  const paths = [...new Set(routes.map(({ spec }) => spec.path))];
  const byPath = lookup(paths.map((path) => ({
    method: 'ANY' as const, path, value: routes.filter(({ spec }) => spec.path === path).map(({ spec }) => spec.method),
  })));
  return (event: Event, context: Context) => {
    // the router reads the route's own parameters from the path; API Gateway's are those of its proxy route
    event.pathParameters = undefined;
    const match = byMethod(event, context);
    if (match) return match;
    const allowed = byPath({ ...event }, context);
    if (allowed) throw methodNotAllowed(`${event.requestContext.http.method} is not allowed on ${event.rawPath}; use ${allowed.join(', ')}`, allowed);
    throw notFound(`no route ${event.requestContext.http.method} ${event.rawPath}`);
  };
}

/** @middy/http-router as a lookup: the value of the route that matches the request, or undefined. */
function lookup<T>(routes: { method: Method; path: string; value: T }[]): (event: Event, context: Context) => T | undefined {
  const route = httpRouterHandler({
    routes: routes.map(({ method, path, value }) => ({ method, path, handler: (() => value) as never })),
    notFoundResponse: (() => undefined) as never,
  }) as unknown as (event: Event, context: Context, abort: unknown) => T | undefined;
  return (event, context) => route(event, context, undefined);
}

/**
 * The one middleware stack of every API function: Powertools logger (with the request's correlation id)
 * and metrics, a router over the domain's routes of the route catalogue, and the domain errors turned
 * into problem+json here and nowhere else. Every route of the domain's catalogue module must have its operation,
 * and every operation must be in the catalogue: a function that does not match fails when it loads.
 * The Powertools Tracer is left out on purpose: it costs an API function about a quarter of its cold
 * start, and Lambda's active tracing records the invocation without it.
 */
export function apiRouter(domain: string, specs: RouteSpec[], operations: Record<string, ApiRoute>) {
  const foreign = specs.filter((spec) => operationOf(spec).domain !== domain).map((spec) => spec.operation);
  if (foreign.length) throw new Error(`the ${domain} API was given other domains' routes: ${foreign.join(', ')}`);
  const missing = specs.filter((spec) => !Object.hasOwn(operations, operationOf(spec).operation)).map((spec) => spec.operation);
  const unknown = Object.keys(operations).filter((operation) => !specs.some((spec) => operationOf(spec).operation === operation));
  if (missing.length || unknown.length) {
    throw new Error(`the ${domain} API does not match the route catalogue: missing ${missing.join(', ') || 'none'}; not in the catalogue: ${unknown.join(', ') || 'none'}`);
  }
  const dispatch = dispatcher(specs.map((spec) => ({ spec, run: operations[operationOf(spec).operation]! })));

  const base = async (event: Event, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const correlationId = event.headers?.['x-correlation-id'] ?? event.requestContext?.requestId ?? context.awsRequestId;
    logger.setCorrelationId(correlationId);
    const headers = { 'x-correlation-id': correlationId };
    try {
      const { spec, run } = dispatch(event, context);
      logger.appendKeys({ operation: spec.operation });
      // every signed-in route answers for a user who is in the CRM and active now, whatever their token says
      const principal = spec.auth === 'jwt' ? await resolvePrincipal(event) : undefined;
      const result = await run(requestOf(event, context, principal));
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
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}
