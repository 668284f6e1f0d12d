import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { DemoUser } from '../seed/demo-users';

/**
 * The local stand-in for the Cognito user pool: it signs ID tokens for the demo users with one key that
 * is kept on disk (so tokens survive a restart) and verifies them the way API Gateway's JWT authorizer
 * verifies Cognito's.
 */
export interface LocalIssuer {
  sign(user: DemoUser, issuer: string, audience: string, ttlSeconds?: number): Promise<string>;
  /** Rejects unless the signature, `iss`, `exp` and the audience (`aud`, or `client_id` without `aud`) hold. */
  verify(token: string, issuer: string, audience: string[]): Promise<JWTPayload>;
  jwks(): JSONWebKeySet;
}

const DEFAULT_TTL_SECONDS = 12 * 60 * 60;
const DEFAULT_ALG = 'ES256';

export async function createLocalIssuer(opts: { keyFile: string }): Promise<LocalIssuer> {
  const privateJwk = await loadOrCreateKey(opts.keyFile);
  const alg = privateJwk.alg ?? DEFAULT_ALG;
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(privateJwk));
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...publicFields } = privateJwk;
  const publicJwk: JWK = { ...publicFields, alg, kid, use: 'sig' };
  const privateKey = (await importJWK(privateJwk, alg)) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, alg)) as CryptoKey;

  return {
    async sign(user, issuer, audience, ttlSeconds = DEFAULT_TTL_SECONDS) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        'cognito:username': user.id,
        'cognito:groups': user.roles,
        'custom:departmentId': user.departmentId,
        email: user.email,
        email_verified: true,
        name: user.name,
        zoneinfo: user.timeZone,
        token_use: 'id',
        auth_time: now,
        jti: randomUUID(),
      })
        .setProtectedHeader({ alg, kid, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(privateKey);
    },

    async verify(token, issuer, audience) {
      const { payload } = await jwtVerify(token, publicKey, { issuer, algorithms: [alg], requiredClaims: ['exp'] });
      // API Gateway accepts a token whose `aud` (ID tokens) or, lacking one, `client_id` (access tokens) is listed.
      const tokenAudiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
      if (!tokenAudiences.some((aud) => typeof aud === 'string' && audience.includes(aud))) {
        throw new Error('the token does not have a valid audience');
      }
      return payload;
    },

    jwks: () => ({ keys: [publicJwk] }),
  };
}

async function loadOrCreateKey(keyFile: string): Promise<JWK> {
  const existing = await readKey(keyFile);
  if (existing) return existing;

  const { privateKey } = await generateKeyPair(DEFAULT_ALG, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), alg: DEFAULT_ALG };
  jwk.kid = await calculateJwkThumbprint(jwk);
  await mkdir(dirname(keyFile), { recursive: true });
  // Written aside, then linked into place: link fails if the file exists, so when two processes start at
  // once the first key wins, and nobody ever reads a half-written file.
  const draft = `${keyFile}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(draft, JSON.stringify(jwk, null, 2) + '\n', { mode: 0o600 });
  try {
    await link(draft, keyFile);
    return jwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKey(keyFile);
    if (!winner) throw new Error(`${keyFile} vanished while it was being created`, { cause: error });
    return winner;
  } finally {
    await unlink(draft);
  }
}

async function readKey(keyFile: string): Promise<JWK | undefined> {
  let text: string;
  try {
    text = await readFile(keyFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const jwk = JSON.parse(text) as JWK;
  if (typeof jwk.kty !== 'string' || typeof jwk.d !== 'string') {
    throw new Error(`${keyFile} is not a private JWK; delete it to have a new key generated`);
  }
  return jwk;
}
