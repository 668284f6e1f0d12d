import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/** The API's rules as a user meets them: validation, authentication, record-level access, concurrency. */
let crm: LocalCrm;
let northAccountId: string;

beforeAll(async () => {
  crm = await startLocalCrm();
  const accounts = await crm.as('u-sales').get('/accounts');
  northAccountId = accounts.body.items.find((a: { code: string }) => a.code === 'NORDIC-DIST').id;
});
afterAll(async () => crm?.stop());

const goodAccount = () => ({
  code: `RULES-${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
  name: 'Rules Test Store', channelType: 'specialty-store', tier: 'standard', status: 'active', region: 'North',
});
const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field).sort();

describe('a bad request', () => {
  it('gets 400 problem+json naming each bad field', async () => {
    const reply = await crm.as('u-sales').post('/accounts', {
      ...goodAccount(),
      code: 'lower case',
      channelType: 'pop-up',
      creditLimit: { amountMinor: 12.5, currency: 'euro' },
      email: 'not-an-email',
      colour: 'blue',
    });
    expect(reply.status).toBe(400);
    expect(reply.contentType).toContain('application/problem+json');
    expect(reply.body).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(fieldsOf(reply.body)).toEqual([
      'body.channelType', 'body.code', 'body.colour', 'body.creditLimit.amountMinor', 'body.creditLimit.currency', 'body.email',
    ]);
    for (const error of reply.body.errors) expect(error.message.length).toBeGreaterThan(3);
  });

  it('gets 400 for a missing required field, a body that is not JSON, and a bad query', async () => {
    const { name: _name, ...withoutName } = goodAccount();
    const missing = await crm.as('u-sales').post('/accounts', withoutName);
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing.body)).toEqual(['body.name']);

    const notJson = await crm.as('u-sales').post('/accounts', '{"code": ');
    expect(notJson.status).toBe(400);
    expect(fieldsOf(notJson.body)).toEqual(['body']);

    const badQuery = await crm.as('u-sales').get('/accounts?limit=1000&colour=red');
    expect(badQuery.status).toBe(400);
    expect(fieldsOf(badQuery.body)).toEqual(['query.colour', 'query.limit']);
  });

  it('that names a record that does not exist gets 400 on that field', async () => {
    const reply = await crm.as('u-sales').post('/contacts', {
      accountId: 'no-such-account', firstName: 'Ghost', lastName: 'Writer', marketingConsent: { status: 'unknown' },
    });
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply.body)).toEqual(['body.accountId']);
  });

  it('that reuses an account code gets 409', async () => {
    const reply = await crm.as('u-sales').post('/accounts', { ...goodAccount(), code: 'NORDIC-DIST' });
    expect(reply.status).toBe(409);
    expect(reply.body.detail).toMatch(/code NORDIC-DIST is already used/);
  });

  it('to an unknown route gets 404, as problem+json saying which route', async () => {
    for (const path of ['/invoices', '/accounts/a/b/c']) {
      const reply = await crm.as('u-sales').get(path);
      expect(reply.status, path).toBe(404);
      expect(reply.contentType, path).toBe('application/problem+json');
      expect(reply.body.detail, path).toBe(`no route GET ${path}`);
    }
    expect((await crm.as('u-sales').get('/accounts/does-not-exist')).status).toBe(404);
  });

  it('with a method the route does not have gets 405, naming the methods it has', async () => {
    const token = await crm.runtime.tokenFor('u-sales');
    const response = await fetch(`${crm.runtime.apiUrl}/accounts`, { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('allow')).toBe('POST, GET');
    expect(((await response.json()) as { detail: string }).detail).toBe('PUT is not allowed on /accounts; use POST, GET');
  });
});

describe('authentication', () => {
  it('refuses a request without a token, or with a forged one, with 401', async () => {
    expect((await crm.anonymous.get('/accounts')).status).toBe(401);
    const token = await crm.runtime.tokenFor('admin');
    const [header, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'], sub: 'u-sales' })).toString('base64url')}.AAAA`;
    const reply = await fetch(`${crm.runtime.apiUrl}/accounts`, { headers: { authorization: `Bearer ${forged}` } });
    expect(reply.status).toBe(401);
  });

  it('serves the OpenAPI document without a token', async () => {
    const reply = await crm.anonymous.get('/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toBe('3.1.0');
    expect(Object.keys(reply.body.paths)).toEqual(expect.arrayContaining(['/accounts', '/accounts/{id}', '/accounts/{id}/360']));
    expect(reply.body.paths['/accounts'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['code', 'name', 'channelType']),
    );
  });
});

describe('record-level access', () => {
  it('a sales rep of another department gets 403 naming what is missing', async () => {
    const reply = await crm.as('u-sales-south').get(`/accounts/${northAccountId}`);
    expect(reply.status).toBe(403);
    expect(reply.body.detail).toMatch(/only their department's records/);
    expect(reply.body.detail).toMatch(/department d-north/);
    expect((await crm.as('u-sales-south').get(`/accounts/${northAccountId}/360`)).status).toBe(403);
  });

  it('a sales rep lists only their own department, and may not ask for another', async () => {
    const own = await crm.as('u-sales-south').get('/accounts');
    expect(own.body.items.length).toBeGreaterThan(0);
    expect(own.body.items.every((a: { departmentId: string }) => a.departmentId === 'd-south')).toBe(true);
    const byRegion = await crm.as('u-sales-south').get('/accounts?region=North');
    expect(byRegion.body.items).toEqual([]);
    expect((await crm.as('u-sales-south').get('/accounts?departmentId=d-north')).status).toBe(403);
  });

  it('a sales rep may not change a colleague\'s record, nor give one away', async () => {
    const other = await crm.as('u-sales-south').patch(`/accounts/${northAccountId}`, { version: 1, name: 'Hijacked' });
    expect(other.status).toBe(403);
    const mine = await crm.as('u-sales').post('/accounts', goodAccount());
    const giveAway = await crm.as('u-sales').patch(`/accounts/${mine.body.id}`, { version: 1, ownerId: 'u-sales-south', departmentId: 'd-south' });
    expect(giveAway.status).toBe(403);
    const forSomeoneElse = await crm.as('u-sales').post('/accounts', { ...goodAccount(), ownerId: 'u-admin' });
    expect(forSomeoneElse.status).toBe(403);
  });

  it('roles without write access get 403; finance may not read leads', async () => {
    expect((await crm.as('u-finance').post('/accounts', goodAccount())).status).toBe(403);
    expect((await crm.as('u-sales').post('/products', { code: 'X-1', name: 'X', series: 'S', unitPrice: { amountMinor: 1, currency: 'EUR' }, status: 'active' })).status).toBe(403);
    const leads = await crm.as('u-finance').get('/leads');
    expect(leads.status).toBe(403);
    expect(leads.body.detail).toMatch(/may not read lead records/);
  });
});

describe('optimistic concurrency', () => {
  it('a stale version gets 409 and changes nothing', async () => {
    const made = await crm.as('u-sales').post('/accounts', goodAccount());
    const first = await crm.as('u-sales').patch(`/accounts/${made.body.id}`, { version: 1, city: 'Lübeck' });
    expect(first.status).toBe(200);
    const stale = await crm.as('u-sales').patch(`/accounts/${made.body.id}`, { version: 1, city: 'Rostock' });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/since version 1/);
    const now = await crm.as('u-sales').get(`/accounts/${made.body.id}`);
    expect(now.body).toMatchObject({ city: 'Lübeck', version: 2 });
    expect((await crm.as('u-sales').delete(`/accounts/${made.body.id}?version=1`)).status).toBe(409);
  });

  it('of two concurrent updates of the same version, exactly one wins', async () => {
    const made = await crm.as('u-sales').post('/accounts', goodAccount());
    const replies = await Promise.all(
      ['Kiel', 'Flensburg', 'Husum'].map((city) => crm.as('u-sales').patch(`/accounts/${made.body.id}`, { version: 1, city })),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409]);
  });
});

describe('rejected requests', () => {
  it('write nothing', async () => {
    // what earlier tests' writes set off (record changes counted into the measures, the outbox relayed) lands first
    await crm.untilIdle();
    const before = await crm.allItems();
    const rejected = await Promise.all([
      crm.as('u-sales').post('/accounts', { ...goodAccount(), tier: 'gold' }),
      crm.as('u-sales').post('/accounts', { ...goodAccount(), code: 'NORDIC-DIST' }),
      crm.as('u-sales').post('/accounts', { ...goodAccount(), parentAccountId: 'missing-parent' }),
      crm.as('u-sales-south').patch(`/accounts/${northAccountId}`, { version: 1, name: 'Nope' }),
      crm.as('u-sales').patch(`/accounts/${northAccountId}`, { version: 99, name: 'Stale' }),
      crm.as('u-finance').post('/leads', { firstName: 'A', lastName: 'B', source: 'event', score: 0, status: 'new', marketingConsent: { status: 'unknown' } }),
      crm.anonymous.post('/accounts', goodAccount()),
      crm.as('u-sales').post('/opportunities', { accountId: northAccountId, name: 'Bad', stage: 'won', amount: { amountMinor: -5, currency: 'EUR' }, expectedCloseDate: '2027-13-45', probability: 120 }),
    ]);
    expect(rejected.map((r) => r.status)).toEqual([400, 409, 400, 403, 409, 403, 401, 400]);
    await crm.untilIdle();
    const after = await crm.allItems();
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.length).toBe(before.length);
  });
});
