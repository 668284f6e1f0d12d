import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** What API Gateway knows about a request when it builds the payload format 2.0 event. */
export interface IncomingRequest {
  method: string;
  /** Path as the client sent it, still percent-encoded. */
  rawPath: string;
  rawQueryString: string;
  /** Node's `req.rawHeaders`: name, value, name, value, ... in arrival order. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** e.g. 'HTTP/1.1' */
  protocol: string;
  /** The local listener's port, for x-forwarded-port. */
  port: number;
}

export interface EventContext {
  routeKey: string;
  pathParameters: Record<string, string>;
  apiId: string;
  accountId: string;
  requestId: string;
  /** Present on JWT routes: the verified token's claims as API Gateway passes them, see flattenClaims. */
  jwt?: { claims: Record<string, string>; scopes: string[] | null };
  now?: Date;
}

// The event type of @types/aws-lambda, with the JWT authorizer shape it lacks a precise type for.
export type HttpApiEvent = Omit<APIGatewayProxyEventV2, 'requestContext'> & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt: { claims: Record<string, string>; scopes: string[] | null } };
  };
};

/** A request id in API Gateway's shape, e.g. 'JKJaXmPLvHcESHA='. */
export const newRequestId = () => randomBytes(11).toString('base64');

export function buildEvent(request: IncomingRequest, context: EventContext): HttpApiEvent {
  const now = context.now ?? new Date();
  const { headers, cookies } = readHeaders(request.rawHeaders);
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${request.sourceIp}` : request.sourceIp;
  headers['x-forwarded-port'] = String(request.port);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??= `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

  const domainName = headers.host ?? `127.0.0.1:${request.port}`;
  const queryStringParameters = parseQuery(request.rawQueryString);
  const isBase64Encoded = request.body.length > 0 && !isTextContentType(headers['content-type']);

  return {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(Object.keys(context.pathParameters).length > 0 ? { pathParameters: context.pathParameters } : {}),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      ...(context.jwt ? { authorizer: { jwt: context.jwt } } : {}),
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: context.requestId,
      routeKey: context.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(request.body.length > 0 ? { body: request.body.toString(isBase64Encoded ? 'base64' : 'utf8') } : {}),
    isBase64Encoded,
  };
}

/**
 * API Gateway's JWT authorizer hands every claim to the function as a string: numbers and booleans as
 * their text, arrays Go-style as "[admin sales]", nested objects as JSON; claims that are null are dropped.
 */
export function flattenClaims(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value !== null && value !== undefined) claims[name] = claimText(value);
  }
  return claims;
}

function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(claimText).join(' ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * `scopes` is null unless the route requires scopes; then it is the token's scopes (`scp`, else `scope`,
 * space-delimited or an array).
 */
export function tokenScopes(payload: Record<string, unknown>, routeRequiresScopes: boolean): string[] | null {
  if (!routeRequiresScopes) return null;
  const claim = payload.scp ?? payload.scope;
  if (Array.isArray(claim)) return claim.map(String);
  return typeof claim === 'string' ? claim.split(' ').filter(Boolean) : [];
}

/**
 * Lower-cased names; a header sent twice arrives once, its values joined by commas. Cookies are taken out
 * of the headers into a list of their own.
 */
export function readHeaders(rawHeaders: string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
}

function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    params[name] = name in params ? `${params[name]},${value}` : value;
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

/** Bodies of other content types (and of none) reach the function base64-encoded, as in the cloud. */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    ['application/json', 'application/xml', 'application/javascript'].includes(type) ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** e.g. '12/Mar/2020:19:03:58 +0000' */
function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
