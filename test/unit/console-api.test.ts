import { describe, expect, it, vi } from 'vitest';
import { api, configureApi, whyUnauthorized } from '../../console/src/api/client';
import { ENDPOINTS } from '../../console/src/api/endpoints';
import { ROUTES, routeKey } from '../../schemas/api/routes';

describe('the console API client', () => {
  it('calls only routes of the catalogue, each as the catalogue spells it', () => {
    const catalogue = new Set(ROUTES.map(routeKey));
    expect(Object.keys(ENDPOINTS).filter((key) => !catalogue.has(key))).toEqual([]);
  });
});

describe('a refused token', () => {
  const problem = { type: 'https://tradeflow.example/problems/unauthenticated', title: 'Unauthorized', status: 401, detail: 'the token has expired; sign in again for a new token' };

  it('ends the session with the reason the API gave: the problem detail, or in the cloud the authorizer\'s www-authenticate', () => {
    expect(whyUnauthorized(new Headers(), problem)).toBe(problem.detail);
    const cloud = new Headers({ 'www-authenticate': 'Bearer scope="" error="invalid_token" error_description="the token has expired"' });
    expect(whyUnauthorized(cloud, { message: 'Unauthorized' })).toBe('the token has expired');
    expect(whyUnauthorized(new Headers({ 'www-authenticate': 'Bearer' }), { message: 'Unauthorized' })).toBe('no valid token');
  });

  it('is reported to the console once, with that reason', async () => {
    const reasons: string[] = [];
    configureApi({ baseUrl: 'http://api.test', token: () => 'old', onUnauthorized: (reason) => reasons.push(reason) });
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(problem), { status: 401, headers: { 'content-type': 'application/problem+json' } }));
    try {
      await expect(api('GET /accounts')).rejects.toMatchObject({ status: 401 });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(reasons).toEqual([problem.detail]);
  });
});
