import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWTPayload } from 'jose';
import type { LocalIssuer } from './local-issuer';
import type { LocalUserPool } from '../cognito/user-pool-service';
import { DEMO_USERS, demoUserFor } from '../seed/demo-users';
import type { ConsoleSite } from './console-site';
import { preflightHeaders, responseCorsHeaders } from './cors';
import { buildEvent, flattenClaims, newRequestId, readHeaders, tokenScopes, type IncomingRequest } from './event';
import { fromLambdaResult, gatewayProblem, gatewayResponse, jsonResponse, type HttpResponse } from './response';
import { matchRoute } from './routing';
import { readHttpApis, type CfnResources, type HttpApiDefinition, type HttpRoute, type JwtAuthorizer, type Resolve } from './http-apis-from-template';

/**
 * The local API Gateway: serves the HTTP APIs of a stack's template on 127.0.0.1, turning each request
 * into the payload format 2.0 event that API Gateway would send and the function's result into the
 * response API Gateway would give. Paths under /_local/ are the local issuer's (tokens for demo users).
 */

/** Invokes a Lambda function by its ARN (what the integration's IntegrationUri resolves to). Rejects when the function fails. */
export type InvokeFunction = (functionArn: string, event: unknown) => Promise<unknown>;

export interface HttpApiDeps {
  invoke: InvokeFunction;
  issuer: LocalIssuer;
  /** the local user pool: a disabled user gets no token */
  userPool?: Pick<LocalUserPool, 'isEnabled'>;
  /** One line per request and per failure; console.log unless given. */
  log?: (line: string) => void;
  /** the web console, served for GET / and /app/** ahead of the API's routes */
  console?: ConsoleSite;
}

export interface StartHttpApiOptions extends HttpApiDeps {
  /** 3000 unless given; a stack's second HTTP API gets port + 1, and so on. 0 picks free ports. */
  port?: number;
  resources: CfnResources;
  resolve: Resolve;
}

export interface RunningHttpApis {
  /** The first API's base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  apis: { logicalId: string; name: string; url: string }[];
  /** the first API's first JWT authorizer: the issuer and audience a token for it is signed with */
  tokenAudience?: { issuer: string; audience: string };
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function startHttpApi(opts: StartHttpApiOptions): Promise<RunningHttpApis> {
  const definitions = await readHttpApis(opts.resources, opts.resolve);
  if (definitions.length === 0) throw new Error('the stack has no HTTP API (AWS::ApiGatewayV2::Api with ProtocolType HTTP) to serve');
  const basePort = opts.port ?? 3000;
  const servers: Server[] = [];
  const stop = () => Promise.all(servers.map(close)).then(() => undefined);
  const apis: RunningHttpApis['apis'] = [];
  try {
    for (const [index, definition] of definitions.entries()) {
      const gateway = new HttpApiGateway(definition, opts);
      const server = await listen(gateway, basePort === 0 ? 0 : basePort + index, opts.log ?? console.log);
      servers.push(server);
      apis.push({ logicalId: definition.logicalId, name: definition.name, url: `http://${HOST}:${(server.address() as AddressInfo).port}` });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const [authorizer] = definitions[0]!.authorizers;
  const tokenAudience = authorizer?.audience[0] ? { issuer: authorizer.issuer, audience: authorizer.audience[0] } : undefined;
  return { url: apis[0]!.url, apis, ...(tokenAudience ? { tokenAudience } : {}), stop };
}

/** One HTTP API: from a request (body already read) to the response API Gateway would give. */
export class HttpApiGateway {
  private readonly log: (line: string) => void;

  constructor(
    readonly api: HttpApiDefinition,
    private readonly deps: HttpApiDeps,
  ) {
    this.log = deps.log ?? console.log;
  }

  async handle(request: IncomingRequest): Promise<HttpResponse> {
    const requestId = newRequestId();
    const { headers } = readHeaders(request.rawHeaders);
    const response = await this.gateway(request, headers, requestId);
    response.headers['apigw-requestid'] = requestId;
    response.headers['x-amzn-requestid'] = requestId;
    return response;
  }

  private async gateway(request: IncomingRequest, headers: Record<string, string>, requestId: string): Promise<HttpResponse> {
    const { cors } = this.api;
    if (cors && request.method === 'OPTIONS') {
      return { statusCode: 204, headers: preflightHeaders(cors, headers), body: Buffer.alloc(0) };
    }
    const page = this.deps.console?.serve(request.method, request.rawPath);
    if (page) return page;
    const response = request.rawPath.startsWith('/_local/')
      ? await this.local(request, headers)
      : await this.route(request, headers, requestId);
    if (cors) {
      for (const name of Object.keys(response.headers)) if (name.startsWith('access-control-')) delete response.headers[name];
      Object.assign(response.headers, responseCorsHeaders(cors, headers.origin));
    }
    return response;
  }

  private async route(request: IncomingRequest, headers: Record<string, string>, requestId: string): Promise<HttpResponse> {
    const match = matchRoute(this.api.routes, request.method, request.rawPath);
    if (!match) return notFound(request);
    const { route, pathParameters } = match;

    let jwt: { claims: Record<string, string>; scopes: string[] | null } | undefined;
    if (route.authorizer) {
      const verdict = await this.authorize(route, route.authorizer, request, headers);
      if ('response' in verdict) return verdict.response;
      jwt = { claims: flattenClaims(verdict.payload), scopes: tokenScopes(verdict.payload, route.authorizationScopes.length > 0) };
    }

    const event = buildEvent(request, {
      routeKey: route.routeKey,
      pathParameters,
      apiId: this.api.apiId,
      accountId: this.api.accountId,
      requestId,
      ...(jwt ? { jwt } : {}),
    });
    try {
      return fromLambdaResult(await withTimeout(this.deps.invoke(route.functionArn, event), route.timeoutMs));
    } catch (error) {
      if (error instanceof IntegrationTimeout) {
        this.log(`${route.routeKey}: ${route.functionArn} took longer than ${route.timeoutMs} ms, the integration timeout`);
        return gatewayResponse(503, 'Service Unavailable');
      }
      this.log(`${route.routeKey}: ${route.functionArn} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return gatewayResponse(500, 'Internal Server Error');
    }
  }

  /** API Gateway's JWT authorizer: 401 for a missing or invalid token, 403 when the route's scopes are not granted. */
  private async authorize(
    route: HttpRoute,
    authorizer: JwtAuthorizer,
    request: IncomingRequest,
    headers: Record<string, string>,
  ): Promise<{ payload: JWTPayload } | { response: HttpResponse }> {
    const token = identityFrom(authorizer.identitySource, headers, request.rawQueryString)?.replace(/^bearer\s+/i, '').trim();
    if (!token) {
      const detail = 'no token: send "Authorization: Bearer <ID token>" (sign in to get one; locally GET /_local/token?user=sales)';
      return { response: gatewayProblem(401, 'unauthenticated', 'Unauthorized', detail, request.rawPath, { 'www-authenticate': 'Bearer' }) };
    }
    let payload: JWTPayload;
    try {
      payload = await this.deps.issuer.verify(token, authorizer.issuer, authorizer.audience);
    } catch (error) {
      const reason = whyTokenRefused(error);
      return {
        response: gatewayProblem(401, 'unauthenticated', 'Unauthorized', `${reason}; sign in again for a new token`, request.rawPath, {
          'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${reason}"`,
        }),
      };
    }
    const granted = tokenScopes(payload, true) ?? [];
    if (route.authorizationScopes.length > 0 && !route.authorizationScopes.some((scope) => granted.includes(scope))) {
      return { response: gatewayResponse(403, 'Forbidden') };
    }
    return { payload };
  }

  /** The local issuer's endpoints; CORS as the API's, so the web console may fetch its tokens. */
  private async local(request: IncomingRequest, headers: Record<string, string>): Promise<HttpResponse> {
    // A page on another site could reach 127.0.0.1 through DNS rebinding; its requests carry that site's host.
    if (!isLoopbackHost(headers.host)) return gatewayResponse(403, 'Forbidden');
    if (request.method !== 'GET') return notFound(request);
    const path = request.rawPath.slice('/_local'.length);
    if (path === '/users') return jsonResponse(200, DEMO_USERS);
    if (path === '/.well-known/jwks.json') return jsonResponse(200, this.deps.issuer.jwks());
    if (path !== '/token') return notFound(request);

    // Signed for the first JWT authorizer: every route of our APIs uses the same user pool.
    const [authorizer] = this.api.authorizers;
    const audience = authorizer?.audience[0];
    if (!authorizer || !audience) return gatewayResponse(404, `${this.api.name} has no JWT authorizer with an audience, so it takes no tokens`);
    const wanted = new URLSearchParams(request.rawQueryString).get('user') ?? '';
    const user = demoUserFor(wanted);
    if (!user) {
      const choices = DEMO_USERS.flatMap((u) => [u.id, ...u.roles]);
      return gatewayResponse(400, `unknown user "${wanted}": pass ?user= one of ${[...new Set(choices)].join(', ')}`);
    }
    if (this.deps.userPool && !this.deps.userPool.isEnabled(user.id)) return gatewayResponse(403, `${user.id} is disabled in the user pool and cannot sign in`);
    const token = await this.deps.issuer.sign(user, authorizer.issuer, audience);
    // ?format=text answers the bare token, for TOKEN=$(curl -s '.../_local/token?user=sales&format=text')
    if (new URLSearchParams(request.rawQueryString).get('format') === 'text') {
      return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(token) };
    }
    return jsonResponse(200, { token, user });
  }
}

const notFound = (request: IncomingRequest) =>
  gatewayProblem(404, 'not-found', 'Not Found', `no route ${request.method} ${request.rawPath}`, request.rawPath);

/**
 * Why the JWT authorizer refused a token, in the words API Gateway puts in its www-authenticate
 * header's error_description where it has them (expired, audience, issuer).
 */
export function whyTokenRefused(error: unknown): string {
  const { code, claim, message } = (error ?? {}) as { code?: string; claim?: string; message?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return "the token's signature does not match the issuer's keys";
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'the token is not a well-formed JWT';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the token is signed with an algorithm the issuer does not use';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'iss' ? 'the token does not have a valid issuer' : `the token's ${claim ?? 'claims'} claim is not valid`;
    default:
      return message?.startsWith('the token ') ? message : 'the token is not valid';
  }
}

function isLoopbackHost(host: string | undefined): boolean {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

function identityFrom(identitySource: string, headers: Record<string, string>, rawQueryString: string): string | undefined {
  const [, where, name = ''] = /^\$request\.(header|querystring)\.(.+)$/.exec(identitySource) ?? [];
  if (where === 'header') return headers[name.toLowerCase()];
  if (where === 'querystring') return new URLSearchParams(rawQueryString).get(name) ?? undefined;
  return undefined;
}

class IntegrationTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function listen(gateway: HttpApiGateway, port: number, log: (line: string) => void): Promise<Server> {
  const server = createServer((req, res) => {
    serve(gateway, req, res, log).catch((error: unknown) => {
      log(`${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) write(res, gatewayResponse(500, 'Internal Server Error'));
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`cannot serve ${gateway.api.name} on http://${HOST}:${port}: the port is in use (stop what holds it, or choose another port)`)
          : error,
      );
    });
    server.listen(port, HOST, () => resolve(server));
  });
}

async function serve(gateway: HttpApiGateway, req: IncomingMessage, res: ServerResponse, log: (line: string) => void) {
  const started = Date.now();
  const [rawPath = '/', rawQueryString = ''] = splitOnce(req.url ?? '/', '?');
  const body = await readBody(req, MAX_BODY_BYTES);
  const response =
    body === undefined
      ? gatewayResponse(413, 'Request Entity Too Large', { connection: 'close' })
      : await gateway.handle({
          method: req.method ?? 'GET',
          rawPath,
          rawQueryString,
          rawHeaders: req.rawHeaders,
          body,
          sourceIp: (req.socket.remoteAddress ?? HOST).replace(/^::ffff:/, ''),
          protocol: `HTTP/${req.httpVersion}`,
          port: req.socket.localPort ?? 0,
        });
  write(res, response);
  log(`${req.method} ${req.url} → ${response.statusCode} (${Date.now() - started} ms)`);
}

function write(res: ServerResponse, response: HttpResponse) {
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': String(response.body.length) });
  res.end(response.body);
}

/** The body, or undefined when it is larger than the limit (the rest is read and dropped). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      return resolve(undefined);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.resume();
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function splitOnce(text: string, separator: string): [string, string?] {
  const index = text.indexOf(separator);
  return index === -1 ? [text] : [text.slice(0, index), text.slice(index + 1)];
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
