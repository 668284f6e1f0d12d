import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalIssuer, type LocalIssuer } from '../../local/http-api/local-issuer';
import { buildEvent, flattenClaims, isTextContentType, type IncomingRequest } from '../../local/http-api/event';
import { HttpApiGateway } from '../../local/http-api/http-api-server';
import { fromLambdaResult } from '../../local/http-api/response';
import { matchRoute, parseRouteKey, type RoutePattern } from '../../local/http-api/routing';
import { readHttpApis, type HttpApiDefinition } from '../../local/http-api/http-apis-from-template';
import { demoUserFor } from '../../local/seed/demo-users';
import { CLIENT_ID, ISSUER, RESOURCES, functionArn, stubResolve } from './support/http-api-template';

const route = (routeKey: string): RoutePattern => ({ routeKey, ...parseRouteKey(routeKey) });

describe('route matching', () => {
  const routes = [
    route('GET /pets/dog/1'),
    route('GET /pets/dog/{id}'),
    route('GET /pets/{proxy+}'),
    route('ANY /pets/dog/{id}'),
    route('ANY /{proxy+}'),
    route('GET /'),
    route('$default'),
  ];
  const matched = (method: string, path: string) => {
    const match = matchRoute(routes, method, path);
    return match && { routeKey: match.route.routeKey, params: match.pathParameters };
  };

  it('prefers a literal path over a path variable over a greedy variable', () => {
    expect(matched('GET', '/pets/dog/1')).toEqual({ routeKey: 'GET /pets/dog/1', params: {} });
    expect(matched('GET', '/pets/dog/2')).toEqual({ routeKey: 'GET /pets/dog/{id}', params: { id: '2' } });
    expect(matched('GET', '/pets/cat/2')).toEqual({ routeKey: 'GET /pets/{proxy+}', params: { proxy: 'cat/2' } });
  });

  it('prefers an explicit method over ANY, and ANY over $default', () => {
    expect(matched('DELETE', '/pets/dog/2')).toEqual({ routeKey: 'ANY /pets/dog/{id}', params: { id: '2' } });
    expect(matched('POST', '/birds/1')).toEqual({ routeKey: 'ANY /{proxy+}', params: { proxy: 'birds/1' } });
    expect(matched('POST', '/')).toEqual({ routeKey: '$default', params: {} });
    expect(matched('GET', '/')).toEqual({ routeKey: 'GET /', params: {} });
  });

  it('URL-decodes path parameters, and a greedy variable needs at least one segment', () => {
    expect(matched('GET', '/pets/dog/a%20b%2Fc')).toEqual({ routeKey: 'GET /pets/dog/{id}', params: { id: 'a b/c' } });
    expect(matchRoute([route('GET /files/{proxy+}')], 'GET', '/files')).toBeUndefined();
    expect(matchRoute([route('GET /files/{proxy+}')], 'GET', '/files/')).toBeUndefined();
    expect(matchRoute([route('GET /files/{proxy+}')], 'GET', '/files/a/b%20c')?.pathParameters).toEqual({ proxy: 'a/b c' });
  });

  it('does not match a path variable to an empty segment, nor a different method, and says nothing without $default', () => {
    const only = [route('GET /accounts/{id}')];
    expect(matchRoute(only, 'GET', '/accounts/')).toBeUndefined();
    expect(matchRoute(only, 'POST', '/accounts/1')).toBeUndefined();
    expect(matchRoute(only, 'GET', '/accounts/1/contacts')).toBeUndefined();
  });

  it('rejects malformed route keys', () => {
    expect(() => parseRouteKey('/accounts')).toThrow(/invalid route key/);
    expect(() => parseRouteKey('GET /{proxy+}/x')).toThrow(/must be the last segment/);
  });
});

describe('claims as the JWT authorizer passes them', () => {
  it('turns every claim into a string, arrays Go-style, and drops nulls', () => {
    expect(
      flattenClaims({
        sub: 'u-1',
        'cognito:groups': ['admin', 'sales'],
        exp: 1700000000,
        email_verified: true,
        address: { country: 'DE' },
        gone: null,
      }),
    ).toEqual({
      sub: 'u-1',
      'cognito:groups': '[admin sales]',
      exp: '1700000000',
      email_verified: 'true',
      address: '{"country":"DE"}',
    });
  });
});

describe('payload format 2.0 event', () => {
  const request = (over: Partial<IncomingRequest> = {}): IncomingRequest => ({
    method: 'POST',
    rawPath: '/accounts/a%201',
    rawQueryString: 'tag=a&tag=b&q=x%20y&flag',
    rawHeaders: ['Host', '127.0.0.1:3000', 'X-Multi', 'one', 'x-multi', 'two', 'Cookie', 'a=1; b=2', 'User-Agent', 'vitest', 'Content-Type', 'application/json'],
    body: Buffer.from('{"name":"Acme"}'),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    port: 3000,
    ...over,
  });
  const context = { routeKey: 'POST /accounts/{id}', pathParameters: { id: 'a 1' }, apiId: 'localapi01', accountId: '000000000000', requestId: 'req-1' };
  const now = new Date(Date.UTC(2020, 2, 12, 19, 3, 58, 390));

  it('carries the request as API Gateway does', () => {
    const event = buildEvent(request(), { ...context, now });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /accounts/{id}',
      rawPath: '/accounts/a%201',
      rawQueryString: 'tag=a&tag=b&q=x%20y&flag',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { tag: 'a,b', q: 'x y', flag: '' },
      pathParameters: { id: 'a 1' },
      body: '{"name":"Acme"}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'localapi01',
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        http: { method: 'POST', path: '/accounts/a%201', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
        requestId: 'req-1',
        routeKey: 'POST /accounts/{id}',
        stage: '$default',
        time: '12/Mar/2020:19:03:58 +0000',
        timeEpoch: now.getTime(),
      },
    });
    expect(event.headers).toMatchObject({ host: '127.0.0.1:3000', 'x-multi': 'one,two', 'content-type': 'application/json', 'x-forwarded-for': '127.0.0.1' });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.authorizer).toBeUndefined();
    expect('stageVariables' in event).toBe(false);
  });

  it('leaves out what the request does not have, and base64-encodes bodies that are not text', () => {
    const bare = buildEvent(request({ method: 'GET', rawQueryString: '', rawHeaders: [], body: Buffer.alloc(0) }), { ...context, pathParameters: {} });
    expect(['cookies', 'queryStringParameters', 'pathParameters', 'body'].filter((key) => key in bare)).toEqual([]);
    expect(bare.isBase64Encoded).toBe(false);

    const binary = buildEvent(request({ rawHeaders: ['Content-Type', 'application/octet-stream'], body: Buffer.from([0, 1, 2, 255]) }), context);
    expect(binary).toMatchObject({ body: 'AAEC/w==', isBase64Encoded: true });
    expect(['text/plain; charset=utf-8', 'application/json', 'application/problem+json'].every(isTextContentType)).toBe(true);
    expect(['application/x-www-form-urlencoded', 'image/png', undefined].some(isTextContentType)).toBe(false);
  });

  it('passes the JWT claims and scopes it is given', () => {
    const jwt = { claims: { sub: 'u-1' }, scopes: null };
    expect(buildEvent(request(), { ...context, jwt }).requestContext.authorizer).toEqual({ jwt });
  });
});

describe('function results', () => {
  it('uses a result with a statusCode as the response', () => {
    const response = fromLambdaResult({
      statusCode: 201,
      headers: { 'Content-Type': 'application/problem+json', 'X-Count': 3 },
      multiValueHeaders: { 'x-many': ['a', 'b'] },
      cookies: ['s=1; HttpOnly', 't=2'],
      body: 'aGk=',
      isBase64Encoded: true,
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({ 'content-type': 'application/problem+json', 'x-count': '3', 'x-many': ['a', 'b'], 'set-cookie': ['s=1; HttpOnly', 't=2'] });
    expect(response.body.toString()).toBe('hi');
  });

  it('turns any other result into a 200 JSON body', () => {
    expect(fromLambdaResult({ id: 'a1' })).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(fromLambdaResult({ id: 'a1' }).body.toString()).toBe('{"id":"a1"}');
    expect(fromLambdaResult([1, 2]).body.toString()).toBe('[1,2]');
    expect(fromLambdaResult('plain').body.toString()).toBe('plain');
  });

  it('refuses malformed responses (API Gateway answers them with a 500)', () => {
    expect(() => fromLambdaResult({ statusCode: '200' })).toThrow(/statusCode/);
    expect(() => fromLambdaResult({ statusCode: 200, body: { id: 1 } })).toThrow(/body/);
  });
});

describe('reading HTTP APIs from the template', () => {
  it('finds routes, their functions and authorizers, and the CORS configuration', async () => {
    const [api, ...others] = await readHttpApis(RESOURCES, stubResolve);
    expect(others).toEqual([]);
    expect(api).toMatchObject({ logicalId: 'Api', name: 'CrmApi', apiId: 'localapi01', accountId: '000000000000' });
    expect(api?.authorizers).toEqual([
      { logicalId: 'ApiJwtAuthorizer', name: 'Jwt', identitySource: '$request.header.Authorization', issuer: ISSUER, audience: [CLIENT_ID] },
    ]);
    expect(api?.routes.map((r) => [r.routeKey, r.functionArn, r.authorizer?.logicalId ?? 'NONE', r.timeoutMs])).toEqual([
      ['GET /accounts/{id}', functionArn('AccountsFn'), 'ApiJwtAuthorizer', 30_000],
      ['POST /events', functionArn('AccountsFn'), 'NONE', 30_000],
    ]);
    expect(api?.cors).toEqual({
      allowOrigins: ['http://localhost:5173'],
      allowMethods: ['*'],
      allowHeaders: ['authorization', 'content-type'],
      exposeHeaders: ['x-request-id'],
      maxAge: 3600,
      allowCredentials: true,
    });
  });

  it('says which integration it cannot serve', async () => {
    const resources = structuredClone(RESOURCES);
    resources.ApiAccountsIntegration!.Properties!.PayloadFormatVersion = '1.0';
    await expect(readHttpApis(resources, stubResolve)).rejects.toThrow(/integration ApiAccountsIntegration: AWS_PROXY with payload format 1.0/);
  });
});

describe('the gateway', () => {
  let dir: string;
  let issuer: LocalIssuer;
  let api: HttpApiDefinition;
  const invoke = vi.fn(async (_arn: string, event: unknown) => event);
  const gateway = () => new HttpApiGateway(api, { invoke, issuer, log: () => {} });
  const request = (method: string, rawPath: string, rawHeaders: string[] = []): IncomingRequest => ({
    method,
    rawPath,
    rawQueryString: '',
    rawHeaders,
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    port: 3000,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-http-'));
    issuer = await createLocalIssuer({ keyFile: join(dir, 'key.json') });
    [api] = (await readHttpApis(RESOURCES, stubResolve)) as [HttpApiDefinition];
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('answers a CORS preflight itself', async () => {
    const response = await gateway().handle(
      request('OPTIONS', '/accounts/1', ['Origin', 'http://localhost:5173', 'Access-Control-Request-Method', 'GET', 'Access-Control-Request-Headers', 'authorization']),
    );
    expect(response.statusCode).toBe(204);
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '3600',
    });
    expect(invoke).not.toHaveBeenCalled();
  });

  it('gives an origin that is not allowed no CORS headers', async () => {
    const response = await gateway().handle(request('OPTIONS', '/accounts/1', ['Origin', 'https://evil.example', 'Access-Control-Request-Method', 'GET']));
    expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('sets CORS headers on responses, replacing the function’s', async () => {
    invoke.mockResolvedValueOnce({ statusCode: 202, headers: { 'Access-Control-Allow-Origin': '*' }, body: '' });
    const response = await gateway().handle(request('POST', '/events', ['Origin', 'http://localhost:5173']));
    expect(response.statusCode).toBe(202);
    expect(response.headers).toMatchObject({ 'access-control-allow-origin': 'http://localhost:5173', 'access-control-expose-headers': 'x-request-id' });
  });

  it('gives a missing, malformed, expired, forged or foreign token a 401 problem saying which, without invoking', async () => {
    invoke.mockClear();
    const user = demoUserFor('sales')!;
    const stranger = await createLocalIssuer({ keyFile: join(dir, 'stranger.json') });
    const cases: [token: string | undefined, reason: RegExp][] = [
      [undefined, /no token/],
      ['not-a-jwt', /not a well-formed JWT/],
      [await issuer.sign(user, ISSUER, CLIENT_ID, -60), /the token has expired/],
      [await stranger.sign(user, ISSUER, CLIENT_ID), /signature/],
      [await issuer.sign(user, ISSUER, 'another-client'), /the token does not have a valid audience/],
      [await issuer.sign(user, 'https://cognito-idp.eu-central-1.amazonaws.com/other', CLIENT_ID), /the token does not have a valid issuer/],
    ];
    for (const [token, reason] of cases) {
      const response = await gateway().handle(request('GET', '/accounts/1', token ? ['Authorization', `Bearer ${token}`] : []));
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toBe('application/problem+json');
      const body = JSON.parse(response.body.toString());
      expect(body).toMatchObject({ type: 'https://tradeflow.example/problems/unauthenticated', title: 'Unauthorized', status: 401, instance: '/accounts/1' });
      expect(body.detail).toMatch(reason);
      // the header API Gateway itself sends in the cloud, where the body cannot be changed
      expect(response.headers['www-authenticate']).toMatch(token ? /^Bearer scope="" error="invalid_token" error_description="[^"]+"$/ : /^Bearer$/);
    }
    expect(invoke).not.toHaveBeenCalled();
  });

  it('answers a path no route takes with a 404 problem naming it', async () => {
    for (const path of ['/nothing-here', '/_local/nothing-here']) {
      const response = await gateway().handle(request('GET', path, ['Host', '127.0.0.1:3000']));
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(response.body.toString())).toMatchObject({ status: 404, title: 'Not Found', detail: expect.stringContaining(path) });
    }
  });

  it('serves the local endpoints only to loopback hosts', async () => {
    const status = async (host: string) => (await gateway().handle(request('GET', '/_local/users', ['Host', host]))).statusCode;
    expect(await status('127.0.0.1:3000')).toBe(200);
    expect(await status('localhost:3000')).toBe(200);
    expect(await status('attacker.example:3000')).toBe(403);
  });

  it('answers a function error with a 500 and names the request id', async () => {
    invoke.mockRejectedValueOnce(new Error('boom'));
    const response = await gateway().handle(request('POST', '/events'));
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal Server Error' });
    expect(response.headers['apigw-requestid']).toMatch(/^[A-Za-z0-9+/]{15}=$/);
  });
});
