import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCrm, type Caller, type LocalCrm, type Reply } from './support/local-crm';

/**
 * The caller's user record decides, not the claims of the token they hold: a user set inactive, deleted
 * or never known is refused with the token they still have, and a change of role or department takes
 * effect without a new token. Each API function keeps what it read of a user for a short while
 * (PRINCIPAL_CACHE_SECONDS); the local clock is moved past that instead of waiting.
 */
let crm: LocalCrm;
beforeAll(async () => {
  crm = await startLocalCrm();
}, 120_000);
afterAll(async () => crm?.stop());

/** past how long an API function trusts what it read of a user (functions/platform/principal.ts) */
const CACHE_SECONDS = 60;

async function northAccountId(): Promise<string> {
  const list = await crm.as('u-sales').get('/accounts?region=North&limit=1');
  expect(list.status, JSON.stringify(list.body)).toBe(200);
  return list.body.items[0].id;
}

async function changeUser(userId: string, changes: Record<string, unknown>) {
  const current = await crm.as('u-admin').get(`/users/${userId}`);
  expect(current.status).toBe(200);
  const changed = await crm.as('u-admin').patch(`/users/${userId}`, { version: current.body.version, ...changes });
  expect(changed.status, JSON.stringify(changed.body)).toBe(200);
}

function expectProblem(reply: Reply, status: number, detail: RegExp) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.contentType).toMatch(/application\/problem\+json/);
  expect(reply.body.detail).toMatch(detail);
}

/** the same token throughout, fetched once, as a browser tab keeps it */
const holding = async (user: string): Promise<Caller> => {
  const token = await crm.runtime.tokenFor(user);
  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(`${crm.runtime.apiUrl}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
  };
  return {
    get: (path) => call('GET', path), post: (path, body) => call('POST', path, body), put: (path, body) => call('PUT', path, body),
    patch: (path, body) => call('PATCH', path, body), delete: (path) => call('DELETE', path),
  };
};

describe('a user set inactive', () => {
  it('is refused with the token they hold, in every domain, and let in again once active', async () => {
    const south = await holding('u-sales-south');
    expect((await south.get('/accounts?limit=1')).status).toBe(200);
    expect((await south.get('/promotions?limit=1')).status).toBe(200);

    await changeUser('u-sales-south', { status: 'inactive' });
    // the user pool disabled them: no new token (locally, from the local issuer)
    await expect(crm.runtime.tokenFor('u-sales-south')).rejects.toThrow(/disabled/);
    expectProblem(await south.get('/accounts?limit=1'), 403, /u-sales-south.*inactive/);
    expectProblem(await south.post('/accounts', { code: 'GHOST-1', name: 'Ghost Trading', channel: 'distributor' }), 403, /inactive/);
    // another function may still hold what it read a moment ago, for no longer than its cache keeps it
    await crm.advanceClock(CACHE_SECONDS + 1);
    expectProblem(await south.get('/promotions?limit=1'), 403, /inactive/);
    expectProblem(await south.get('/approval-inbox'), 403, /inactive/);

    await changeUser('u-sales-south', { status: 'active' });
    await expect(crm.runtime.tokenFor('u-sales-south')).resolves.toMatch(/^ey/);
    expect((await south.get('/accounts?limit=1')).status).toBe(200);
    await crm.advanceClock(CACHE_SECONDS + 1);
    expect((await south.get('/promotions?limit=1')).status).toBe(200);
  });
});

describe('a token whose user the CRM does not know', () => {
  it('reads nothing: neither a user who never existed nor one deleted since', async () => {
    const stranger = await crm.runtime.signToken({
      id: 'u-nobody', name: 'No Body', email: 'nobody@tradeflow.example', roles: ['sales'], departmentId: 'd-north', timeZone: 'Europe/Berlin',
    });
    const reply = await fetch(`${crm.runtime.apiUrl}/accounts?region=North`, { headers: { authorization: `Bearer ${stranger}` } });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await reply.json()) as { detail: string }).detail).toMatch(/u-nobody/);

    const director = await holding('u-sales-director');
    expect((await director.get('/accounts?limit=1')).status).toBe(200);
    const current = await crm.as('u-admin').get('/users/u-sales-director');
    expect((await crm.as('u-admin').delete(`/users/u-sales-director?version=${current.body.version}`)).status).toBe(200);
    expectProblem(await director.get('/accounts?limit=1'), 401, /u-sales-director/);
  });
});

describe('a change of department or role', () => {
  it('takes effect from the user record, not from the token', async () => {
    const accountId = await northAccountId();
    const southManager = await holding('u-south-manager');
    expectProblem(await southManager.get(`/accounts/${accountId}`), 403, /department/);
    await changeUser('u-south-manager', { departmentId: 'd-north' });
    expect((await southManager.get(`/accounts/${accountId}`)).status).toBe(200);

    // finance reads every account; the same person as a sales rep of their office reads only its accounts
    const finance = await holding('u-finance-director');
    expect((await finance.get(`/accounts/${accountId}`)).status).toBe(200);
    await changeUser('u-finance-director', { roles: ['sales'] });
    expectProblem(await finance.get(`/accounts/${accountId}`), 403, /role sales/);
  });
});
