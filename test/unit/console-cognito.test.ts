import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInError, signInWithCognito } from '../../console/src/auth/cognito';

/**
 * The console's cloud sign-in against a stand-in for the user pool's endpoint: it starts the SRP
 * exchange for the pool's app client (the password never goes over the wire) and says in words what
 * went wrong. (The full SRP exchange is Cognito's; it cannot run here.)
 */
const calls: { target: string; body: any }[] = [];
let answer: { status: number; body: unknown } = { status: 400, body: {} };
const server = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
  req.on('end', () => {
    calls.push({ target: String(req.headers['x-amz-target']), body: JSON.parse(body) });
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(answer.body));
  });
});
let endpoint: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const settings = () => ({ userPoolId: 'eu-central-1_Example', clientId: 'console-client', endpoint });

describe('signing in to the console with Cognito', () => {
  it('asks the pool for an SRP challenge for its app client, without the password', async () => {
    answer = { status: 400, body: { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' } };
    const failed = await signInWithCognito(settings(), 'sam@tradeflow.example', 'not-the-password').catch((e: unknown) => e);
    expect(calls[0]?.target).toBe('AWSCognitoIdentityProviderService.InitiateAuth');
    expect(calls[0]?.body).toMatchObject({ AuthFlow: 'USER_SRP_AUTH', ClientId: 'console-client', AuthParameters: { USERNAME: 'sam@tradeflow.example' } });
    expect(calls[0]?.body.AuthParameters.SRP_A).toMatch(/^[0-9a-f]+$/);
    expect(JSON.stringify(calls[0]?.body)).not.toContain('not-the-password');
    expect(failed).toBeInstanceOf(SignInError);
    expect((failed as SignInError).message).toBe('The email or password is wrong.');
  });

  it('says when the account must be confirmed first', async () => {
    answer = { status: 400, body: { __type: 'UserNotConfirmedException', message: 'User is not confirmed.' } };
    const failed = await signInWithCognito(settings(), 'new@tradeflow.example', 'secret-1234').catch((e: unknown) => e);
    expect((failed as SignInError).code).toBe('UserNotConfirmedException');
    expect((failed as SignInError).message).toMatch(/not confirmed/);
  });
});
