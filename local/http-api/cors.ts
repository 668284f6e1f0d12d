import type { CorsConfig } from './http-apis-from-template';

/**
 * CORS as an HTTP API with a CorsConfiguration does it: API Gateway itself answers every OPTIONS request
 * (no route or function is involved) and sets the CORS headers on every response, replacing any that the
 * function set. An origin that is not allowed simply gets no CORS headers.
 */

export function preflightHeaders(cors: CorsConfig, requestHeaders: Record<string, string>): Record<string, string> {
  const origin = allowedOrigin(cors, requestHeaders.origin);
  if (!origin) return {};
  const requestedMethod = requestHeaders['access-control-request-method'];
  const requestedHeaders = requestHeaders['access-control-request-headers'];
  const headers: Record<string, string> = { ...originHeaders(cors, origin) };
  // A configured '*' is answered with what was asked for, which browsers accept even with credentials.
  const methods = cors.allowMethods.includes('*') ? requestedMethod : cors.allowMethods.join(',');
  if (methods) headers['access-control-allow-methods'] = methods;
  const allowHeaders = cors.allowHeaders.includes('*') ? requestedHeaders : cors.allowHeaders.join(',');
  if (allowHeaders) headers['access-control-allow-headers'] = allowHeaders;
  if (cors.maxAge !== undefined) headers['access-control-max-age'] = String(cors.maxAge);
  return headers;
}

export function responseCorsHeaders(cors: CorsConfig, origin: string | undefined): Record<string, string> {
  const allowed = allowedOrigin(cors, origin);
  if (!allowed) return {};
  const headers = originHeaders(cors, allowed);
  if (cors.exposeHeaders.length > 0) headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
  return headers;
}

function allowedOrigin(cors: CorsConfig, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (cors.allowOrigins.includes('*')) return cors.allowCredentials ? origin : '*';
  return cors.allowOrigins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

function originHeaders(cors: CorsConfig, allowedOrigin: string): Record<string, string> {
  return {
    'access-control-allow-origin': allowedOrigin,
    ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    ...(allowedOrigin !== '*' ? { vary: 'origin' } : {}),
  };
}
