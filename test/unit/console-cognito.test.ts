import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SignInError, signInWithCognito } from '../../console/src/auth/cognito';

/**
 * The console's cloud sign-in against a stand-in for the user pool's endpoint: it starts the SRP
 * exchange for the pool's app client (the password never goes over the wire) and says in words what
 * went wrong; past the password (which the stand-in takes without checking its proof: the real check is
 * Cognito's), it enrols an authenticator app or asks for its code, as the pool requires.
 */
const calls: { target: string; body: any }[] = [];
let answer: { status: number; body: unknown } = { status: 400, body: {} };
/** per call, when set: the pool's answer to that call (the whole exchange past the password) */
let respond: ((target: string, body: any) => { status: number; body: unknown }) | undefined;
const server = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
  req.on('end', () => {
    calls.push({ target: String(req.headers['x-amz-target']), body: JSON.parse(body) });
    const { status, body: reply } = respond?.(String(req.headers['x-amz-target']).replace('AWSCognitoIdentityProviderService.', ''), JSON.parse(body)) ?? answer;
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(reply));
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
  beforeEach(() => { calls.length = 0; respond = undefined; });

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

  const ok = (body: unknown) => ({ status: 200, body });
  const idToken = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'sam', email: 'sam@tradeflow.example', exp: 4_102_444_800 })).toString('base64url')}.signature`;
  const signedIn = ok({ AuthenticationResult: { IdToken: idToken, AccessToken: idToken, RefreshToken: 'refresh', ExpiresIn: 3600, TokenType: 'Bearer' } });
  /** the pool up to the password: its SRP challenge, and what it asks after the password */
  const afterPassword = (next: { status: number; body: unknown }) => (target: string, body: any) => {
    if (target === 'InitiateAuth') {
      return ok({ ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: { USER_ID_FOR_SRP: 'sam', SRP_B: 'ab'.repeat(128), SALT: '0123456789abcdef', SECRET_BLOCK: Buffer.from('secret block').toString('base64') } });
    }
    if (target === 'RespondToAuthChallenge' && body.ChallengeName === 'PASSWORD_VERIFIER') return next;
    return undefined;
  };

  it('enrols an authenticator app on a first sign-in: shows its key, verifies one code, and signs in', async () => {
    const pool = afterPassword(ok({ ChallengeName: 'MFA_SETUP', Session: 'after-password', ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' } }));
    respond = (target, body) => pool(target, body)
      ?? (target === 'AssociateSoftwareToken' ? ok({ SecretCode: 'JBSWY3DPEHPK3PXP', Session: 'associated' })
        : target === 'VerifySoftwareToken' ? ok({ Status: 'SUCCESS', Session: 'verified' })
          : target === 'RespondToAuthChallenge' && body.ChallengeName === 'MFA_SETUP' ? signedIn
            : { status: 400, body: { __type: 'InvalidParameterException', message: `unexpected ${target}` } });
    const first = await signInWithCognito(settings(), 'sam@tradeflow.example', 'Correct-Horse-1');
    expect(first.kind).toBe('authenticator-setup');
    if (first.kind !== 'authenticator-setup') return;
    expect(first.secret).toBe('JBSWY3DPEHPK3PXP');
    expect(first.otpauthUri).toBe('otpauth://totp/Tradeflow%3Asam%40tradeflow.example?secret=JBSWY3DPEHPK3PXP&issuer=Tradeflow');
    const done = await first.complete('123456');
    expect(done).toEqual({ kind: 'signed-in', idToken });
    const verify = calls.find((c) => c.target.endsWith('VerifySoftwareToken'))!.body;
    expect(verify).toMatchObject({ Session: 'associated', UserCode: '123456' });
    expect(calls.at(-1)!.body).toMatchObject({ ChallengeName: 'MFA_SETUP', Session: 'verified', ChallengeResponses: { USERNAME: 'sam' } });
  });

  it('asks an enrolled user for the code from their app, and says so when it is wrong', async () => {
    const pool = afterPassword(ok({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'after-password', ChallengeParameters: {} }));
    respond = (target, body) => pool(target, body)
      ?? (body.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE === '654321' ? signedIn
        : { status: 400, body: { __type: 'CodeMismatchException', message: 'Invalid code received for user' } });
    const first = await signInWithCognito(settings(), 'sam@tradeflow.example', 'Correct-Horse-1');
    expect(first.kind).toBe('code-required');
    if (first.kind !== 'code-required') return;
    const wrong = await first.complete('111111').catch((e: unknown) => e);
    expect((wrong as SignInError).message).toBe('That code is not the one your authenticator app shows now: try the next one.');
    expect(await first.complete('654321')).toEqual({ kind: 'signed-in', idToken });
    expect(calls.at(-1)!.body).toMatchObject({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'after-password', ChallengeResponses: { SOFTWARE_TOKEN_MFA_CODE: '654321' } });
  });
});
