import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCrm, type LocalCrm, type Reply } from './support/local-crm';

/**
 * A write may name only records its author may read. Sofia South (Sales South) must not be able to hang
 * her records on Sales North's accounts, leads and deals (they would show in North's account 360), nor
 * learn which North ids exist: a real id she may not read is refused exactly as a made-up one is.
 */
let crm: LocalCrm;
const north = { account: '', parentless: '', lead: '', opportunity: '', contact: '', fund: '', promotion: '' };
const south = { account: '', activity: '', fund: '' };
const MADE_UP = 'no-such-record-0001';
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

beforeAll(async () => {
  crm = await startLocalCrm();
  const sam = crm.as('u-sales');
  const accounts = (await sam.get('/accounts?region=North')).body.items as any[];
  north.account = accounts.find((a) => a.code === 'NORDIC-DIST').id;
  north.lead = ((await sam.get('/leads?ownerId=u-sales')).body.items as any[])[0].id;
  north.opportunity = ((await sam.get(`/opportunities?accountId=${north.account}`)).body.items as any[])[0].id;
  north.contact = ((await sam.get(`/contacts?accountId=${north.account}`)).body.items as any[])[0].id;
  north.fund = ((await sam.get('/funds')).body.items as any[])[0].id;
  north.promotion = ((await sam.get('/promotions?status=draft')).body.items as any[])[0].id;
  const sofia = crm.as('u-sales-south');
  south.account = ((await sofia.get('/accounts?region=South')).body.items as any[]).find((a) => a.code === 'IBERIA-WHOLE').id;
  const activity = await sofia.post('/activities', { type: 'call', subject: 'Own call', occurredAt: '2026-11-25T10:00:00Z', accountId: south.account });
  expect(activity.status).toBe(201);
  south.activity = activity.body.id;
  const fund = await crm.as('u-finance').post('/funds', { name: 'South trade fund', region: 'South', period: '2027-H1', allocated: eur(50_000_00), departmentId: 'd-south' });
  expect(fund.status).toBe(201);
  south.fund = fund.body.id;
});
afterAll(async () => crm?.stop());

/** The reply with an id replaced by a placeholder: what a caller can tell apart. */
const seen = (reply: Reply, id: string) => ({
  status: reply.status,
  contentType: reply.contentType,
  body: JSON.parse(JSON.stringify(reply.body).replaceAll(id, '<id>')),
});

/**
 * Sends the write once naming a real record the caller may not read and once a made-up id: both are
 * the same 400 problem naming the field, and nothing was written.
 */
async function refusedAlike(send: (id: string) => Promise<Reply>, realId: string, field: string) {
  const real = await send(realId);
  const madeUp = await send(MADE_UP);
  expect(real.status, JSON.stringify(real.body)).toBe(400);
  expect(real.contentType).toContain('application/problem+json');
  expect(real.body.errors).toEqual([expect.objectContaining({ field })]);
  expect(seen(real, realId)).toEqual(seen(madeUp, MADE_UP));
}

describe("references to another department's records", () => {
  it("refuses records that name a North account, lead, contact or deal, as if the id did not exist", async () => {
    const sofia = crm.as('u-sales-south');
    const activity = (extra: object) => ({ type: 'call', subject: 'Probe', occurredAt: '2026-11-25T10:00:00Z', ...extra });
    await refusedAlike((id) => sofia.post('/activities', activity({ accountId: id })), north.account, 'body.accountId');
    await refusedAlike((id) => sofia.post('/activities', activity({ leadId: id })), north.lead, 'body.leadId');
    await refusedAlike((id) => sofia.post('/activities', activity({ accountId: south.account, opportunityId: id })), north.opportunity, 'body.opportunityId');
    await refusedAlike((id) => sofia.post('/activities', activity({ accountId: south.account, contactId: id })), north.contact, 'body.contactId');
    await refusedAlike((id) => sofia.post('/contacts', { accountId: id, firstName: 'P', lastName: 'Robe', marketingConsent: { status: 'unknown' } }), north.account, 'body.accountId');
    await refusedAlike((id) => sofia.post('/opportunities', {
      accountId: id, name: 'Probe deal', stage: 'prospecting', amount: eur(1_00), expectedCloseDate: '2027-06-30', probability: 10,
    }), north.account, 'body.accountId');
    await refusedAlike((id) => sofia.post('/accounts', {
      code: `PROBE-${Math.floor(Math.random() * 1e6)}`, name: 'Probe outlet', channelType: 'retail-outlet', tier: 'standard', status: 'prospect', region: 'South', parentAccountId: id,
    }), north.account, 'body.parentAccountId');
    await refusedAlike((id) => sofia.post('/leads', {
      firstName: 'P', lastName: 'Robe', source: 'event', score: 0, status: 'new', marketingConsent: { status: 'unknown' }, accountId: id,
    }), north.account, 'body.accountId');

    // changing her own record to point at North's is refused the same way
    const own = (await sofia.get(`/activities/${south.activity}`)).body;
    await refusedAlike((id) => sofia.patch(`/activities/${south.activity}`, { version: own.version, accountId: id }), north.account, 'body.accountId');

    // and North's 360 shows nothing of hers
    const view = (await crm.as('u-sales').get(`/accounts/${north.account}/360`)).body;
    const departments = [...view.contacts, ...view.openOpportunities, ...view.latestActivities].map((r: any) => r.departmentId);
    expect(departments.every((d: string) => d === 'd-north')).toBe(true);
    expect((await crm.as('u-admin').get('/accounts?region=South')).body.items.some((a: any) => a.name === 'Probe outlet')).toBe(false);
  });

  it('still lets a rep link records of their own department', async () => {
    const sam = crm.as('u-sales');
    const made = await sam.post('/activities', { type: 'note', subject: 'Own note', occurredAt: '2026-11-25T11:00:00Z', accountId: north.account, opportunityId: north.opportunity });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
  });

  it('refuses promotions and claims that name a fund, account or promotion the author may not read, as if it did not exist', async () => {
    const sam = crm.as('u-sales');
    const promotion = (extra: object) => ({
      name: 'Probe promotion', description: 'probe', type: 'display', region: 'North', startsAt: '2027-06-01T00:00:00Z', endsAt: '2027-06-30T00:00:00Z',
      accountIds: [north.account], fundId: north.fund, expenseLines: [{ kind: 'display', amount: eur(100_00) }], ...extra,
    });
    await refusedAlike((id) => sam.post('/promotions', promotion({ accountIds: [north.account, id] })), south.account, 'body.accountIds.1');
    await refusedAlike((id) => sam.post('/promotions', promotion({ fundId: id })), south.fund, 'body.fundId');
    const draft = (await sam.get(`/promotions/${north.promotion}`)).body;
    await refusedAlike((id) => sam.patch(`/promotions/${north.promotion}`, { version: draft.version, accountIds: [id] }), south.account, 'body.accountIds.0');

    await refusedAlike((id) => crm.as('u-sales-south').post('/claims', {
      promotionId: id, lines: [{ kind: 'display', amount: eur(10_00), evidenceRef: 'PROBE-1' }],
    }), north.promotion, 'body.promotionId');
  });
});
