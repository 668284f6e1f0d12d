import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalIssuer } from '../../local/http-api/local-issuer';
import { demoUserFor } from '../../local/seed/demo-users';

const ISSUER = 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_LocalPool';

describe('local issuer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-issuer-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('signs Cognito-shaped ID tokens that its JWKS verifies', async () => {
    const issuer = await createLocalIssuer({ keyFile: join(dir, 'a', 'key.json') });
    const user = demoUserFor('u-sales-south')!;
    const token = await issuer.sign(user, ISSUER, 'client');
    const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks()), { issuer: ISSUER, audience: 'client' });
    expect(payload).toMatchObject({
      sub: 'u-sales-south',
      'cognito:username': 'u-sales-south',
      'cognito:groups': ['sales'],
      'custom:departmentId': 'd-south',
      email: 'sales.south@tradeflow.example',
      name: 'Sofia South',
      token_use: 'id',
    });
    expect(payload.exp! - payload.iat!).toBe(12 * 60 * 60);
    expect(issuer.jwks().keys[0]).not.toHaveProperty('d');
  });

  it('keeps its key across restarts, so earlier tokens stay valid', async () => {
    const keyFile = join(dir, 'b', 'key.json');
    const first = await createLocalIssuer({ keyFile });
    const token = await first.sign(demoUserFor('admin')!, ISSUER, 'client');
    const second = await createLocalIssuer({ keyFile });
    await expect(second.verify(token, ISSUER, ['client'])).resolves.toMatchObject({ sub: 'u-admin' });
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toHaveProperty('d');
  });

  it('creates one key when started twice at once', async () => {
    const keyFile = join(dir, 'c', 'key.json');
    const [a, b] = await Promise.all([createLocalIssuer({ keyFile }), createLocalIssuer({ keyFile })]);
    expect(a.jwks()).toEqual(b.jwks());
  });

  it('verifies issuer, audience and expiry', async () => {
    const issuer = await createLocalIssuer({ keyFile: join(dir, 'd', 'key.json') });
    const user = demoUserFor('ops')!;
    const token = await issuer.sign(user, ISSUER, 'client');
    expect(decodeJwt(token).aud).toBe('client');
    await expect(issuer.verify(token, ISSUER, ['other', 'client'])).resolves.toMatchObject({ sub: 'u-ops' });
    await expect(issuer.verify(token, ISSUER, ['other'])).rejects.toThrow(/audience/);
    await expect(issuer.verify(token, `${ISSUER}x`, ['client'])).rejects.toThrow();
    await expect(issuer.verify(await issuer.sign(user, ISSUER, 'client', -1), ISSUER, ['client'])).rejects.toThrow(/exp/);
  });
});
