import * as z from '../zod';
import { ProblemSchema } from '../common';
import { operationOf, ROUTES, type RouteContract, type RouteSpec } from './routes';

type JsonSchema = Record<string, unknown>;
const toSchema = (schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: toSchema(ProblemSchema, 'output') } },
});

function queryParameters(query: RouteContract['query']) {
  if (!query) return [];
  const schema = toSchema(query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name, in: 'query', required: schema.required?.includes(name) ?? false, schema: property,
  }));
}

function operation(route: RouteSpec) {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name, in: 'path', required: true, schema: { type: 'string' },
  }));
  const { body, query, response } = route.contract?.() ?? {};
  return {
    operationId: operationOf(route).operation.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()),
    summary: route.summary,
    tags: [route.tag],
    security: route.auth === 'jwt' ? [{ cognito: [] }] : route.auth === 'signature' ? [{ systemSignature: [] }] : [],
    parameters: [...pathParameters, ...queryParameters(query)],
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(body, 'input') } } } } : {}),
    responses: {
      [route.method === 'POST' ? '201' : '200']: {
        description: 'OK',
        ...(response ? { content: { 'application/json': { schema: toSchema(response, 'output') } } } : {}),
      },
      400: problemResponse('A bad body or query: every bad field is listed in `errors`'),
      ...(route.auth === 'jwt' ? {
        401: { description: 'No valid token (missing, malformed, expired, or not signed by the user pool): the reason is in the `www-authenticate` header\'s error_description; locally also in a problem body (see docs/api.md)' },
        403: problemResponse('The caller may not do this to this record'),
      } : {}),
      ...(route.auth === 'signature' ? {
        401: problemResponse('Unknown system, stale timestamp or a signature that does not match'),
        409: problemResponse('The first delivery of this idempotency-key is still being taken: retry after `retry-after` seconds'),
        422: problemResponse('This idempotency-key was used with another body'),
      } : {}),
      ...(route.path.includes('{id}') ? { 404: problemResponse('No such record, or it was deleted') } : {}),
      ...(route.method === 'PATCH' || route.method === 'DELETE' ? { 409: problemResponse('The record changed since the version sent') } : {}),
    },
  };
}

/** The HTTP API as OpenAPI 3.1, generated from the same zod schemas the handlers parse with. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tradeflow CRM API',
      version: '0.1.0',
      description: 'Money is integer minor units plus an ISO 4217 currency. Updates send the `version` they read (409 when stale).',
    },
    components: {
      securitySchemes: {
        cognito: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Cognito ID token (locally: GET /_local/token?user=sales)' },
        systemSignature: {
          type: 'apiKey', in: 'header', name: 'x-tradeflow-signature',
          description: 'v2=<hex HMAC-SHA256 of "<x-tradeflow-timestamp>.<idempotency-key>.<raw body>" with the system\'s secret>; x-tradeflow-source names the system',
        },
      },
    },
    paths,
  };
}
