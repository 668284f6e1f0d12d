import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalIssuer } from '../../local/http-api/local-issuer';
import type { HttpApiEvent } from '../../local/http-api/event';
import { startHttpApi, type RunningHttpApis } from '../../local/http-api/http-api-server';
import { DEMO_USERS } from '../../local/seed/demo-users';
import { CLIENT_ID, ISSUER, RESOURCES, functionArn, stubResolve } from './support/http-api-template';

describe('local HTTP API server', () => {
  let dir: string;
  let running: RunningHttpApis;
  const invoke = vi.fn(async (_arn: string, event: unknown) => event);
  const options = async () => ({
    port: 0,
    resources: RESOURCES,
    resolve: stubResolve,
    invoke,
    issuer: await createLocalIssuer({ keyFile: join(dir, 'local-issuer-key.json') }),
    log: () => {},
  });
  const tokenFor = async (user: string) => {
    const response = await fetch(`${running.url}/_local/token?user=${user}`);
    expect(response.status).toBe(200);
    return (await response.json()) as { token: string; user: { id: string } };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-http-api-'));
    running = await startHttpApi(await options());
  });
  afterAll(async () => {
    await running?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => invoke.mockClear());

  it('listens on 127.0.0.1', () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.apis).toEqual([{ logicalId: 'Api', name: 'CrmApi', url: running.url }]);
  });

  it('refuses a JWT route without a token, without invoking the function', async () => {
    const response = await fetch(`${running.url}/accounts/a1`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized', detail: expect.stringMatching(/no token/) });
    expect(invoke).not.toHaveBeenCalled();
  });

  it('invokes the function with the claims and path parameters for a token from /_local/token', async () => {
    const { token, user } = await tokenFor('finance');
    expect(user.id).toBe('u-finance');
    const response = await fetch(`${running.url}/accounts/a%201?x=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    const event = (await response.json()) as HttpApiEvent;
    expect(invoke).toHaveBeenCalledWith(functionArn('AccountsFn'), expect.anything());
    expect(event.routeKey).toBe('GET /accounts/{id}');
    expect(event.pathParameters).toEqual({ id: 'a 1' });
    expect(event.queryStringParameters).toEqual({ x: '1' });
    expect(event.requestContext.authorizer?.jwt.scopes).toBeNull();
    expect(event.requestContext.authorizer?.jwt.claims).toMatchObject({
      sub: 'u-finance',
      'cognito:username': 'u-finance',
      'cognito:groups': '[finance]',
      'custom:departmentId': 'd-finance',
      iss: ISSUER,
      aud: CLIENT_ID,
      token_use: 'id',
    });
    expect(event.requestContext.authorizer?.jwt.claims.exp).toMatch(/^\d+$/);
  });

  it('accepts a bare token as well', async () => {
    const { token } = await tokenFor('u-admin');
    expect((await fetch(`${running.url}/accounts/a1`, { headers: { authorization: token } })).status).toBe(200);
  });

  it('serves a NONE route without a token and passes the body', async () => {
    const response = await fetch(`${running.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ body: '{"a":1}', isBase64Encoded: false, routeKey: 'POST /events' });
  });

  it('answers an unknown route with a 404 problem naming it', async () => {
    const response = await fetch(`${running.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, title: 'Not Found', detail: 'no route GET /nowhere' });
  });

  it('refuses a body over 10 MB with 413', async () => {
    const response = await fetch(`${running.url}/events`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(invoke).not.toHaveBeenCalled();
  });

  it('lists the demo users, the JWKS, and explains an unknown user', async () => {
    expect(await (await fetch(`${running.url}/_local/users`)).json()).toEqual(DEMO_USERS);
    expect(await (await fetch(`${running.url}/_local/.well-known/jwks.json`)).json()).toMatchObject({ keys: [{ kty: 'EC', use: 'sig' }] });
    const unknown = await fetch(`${running.url}/_local/token?user=nobody`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/u-admin.*sales/);
  });

  it('says clearly when the port is in use', async () => {
    const port = Number(new URL(running.url).port);
    await expect(startHttpApi({ ...(await options()), port })).rejects.toThrow(`http://127.0.0.1:${port}: the port is in use`);
  });
});
