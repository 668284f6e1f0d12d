import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../schemas/api/routes';
import type * as z from '../../schemas/zod';
import { sampleWelcomeSequence } from '../../local/seed/welcome-sequence';
import { startLocalCrm, type LocalCrm } from './support/local-crm';
import { storageKeysIn } from './support/storage-keys';

/**
 * What the server owns, clients can neither write nor see: fields the server sets (timestamps, stage
 * times, status and money that workflows move, the away period that has its own route) are refused with
 * a 400 naming them, and no response carries the table's storage keys.
 */
let crm: LocalCrm;
beforeAll(async () => {
  crm = await startLocalCrm();
});
afterAll(async () => crm?.stop());

/** A body setting the table's own attributes (each is refused, naming it). */
const STORAGE_ATTRIBUTES = { pk: 'X#1', sk: 'RECORD', recordType: 'X', searchText: 'x', byStatusPk: 'X#STATUS#y', byTypeSk: 'x' };

const keysOf = (schema: z.ZodMiniType | undefined) => {
  const shape = (schema as unknown as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
};

describe('fields the server owns', () => {
  it("refuses an opportunity's stageEnteredAt on create and on change, and still sets it itself", async () => {
    const sam = crm.as('u-sales');
    const account = ((await sam.get('/accounts?region=North')).body.items as any[])[0];
    const deal = { accountId: account.id, name: 'Stage probe', stage: 'prospecting', amount: { amountMinor: 100, currency: 'EUR' }, expectedCloseDate: '2027-06-30', probability: 10 };
    const backdated = await sam.post('/opportunities', { ...deal, stageEnteredAt: '2020-01-01T00:00:00Z' });
    expect(backdated.status).toBe(400);
    expect(backdated.body.errors).toEqual([expect.objectContaining({ field: 'body.stageEnteredAt' })]);

    const made = await sam.post('/opportunities', deal);
    expect(made.status).toBe(201);
    expect(Date.parse(made.body.stageEnteredAt)).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
    const changed = await sam.patch(`/opportunities/${made.body.id}`, { version: made.body.version, stageEnteredAt: '2020-01-01T00:00:00Z' });
    expect(changed.status).toBe(400);
    expect(changed.body.errors).toEqual([expect.objectContaining({ field: 'body.stageEnteredAt' })]);
    expect((await sam.get(`/opportunities/${made.body.id}`)).body.stageEnteredAt).toBe(made.body.stageEnteredAt);
  });

  it("refuses a user's away period through the user record: it has its own route", async () => {
    const user = (await crm.as('u-admin').get('/users/u-sales')).body;
    const changed = await crm.as('u-admin').patch('/users/u-sales', { version: user.version, awayUntil: '2030-01-01', delegateId: 'u-north-manager' });
    expect(changed.status).toBe(400);
    expect(changed.body.errors.map((e: any) => e.field).sort()).toEqual(['body.awayUntil', 'body.delegateId']);
  });

  it('refuses, on every create and change route, each field its response has and its body may not set, and the storage keys', async () => {
    const writes = ROUTES.filter((r) => (r.method === 'POST' || r.method === 'PATCH') && r.auth === 'jwt' && !r.path.includes('{action}'))
      .map((route) => ({ route, contract: route.contract?.() }))
      .filter(({ contract }) => keysOf(contract?.body).length > 0 && keysOf(contract?.response).length > 0);
    expect(writes.length).toBeGreaterThanOrEqual(20);
    for (const { route, contract } of writes) {
      const writable = new Set(keysOf(contract!.body));
      const serverOwned = keysOf(contract!.response).filter((key) => !writable.has(key));
      const body = { ...Object.fromEntries(serverOwned.map((key) => [key, 'x'])), ...STORAGE_ATTRIBUTES };
      const path = route.path.replace('{id}', 'some-id');
      const reply = route.method === 'POST' ? await crm.as('u-admin').post(path, body) : await crm.as('u-admin').patch(path, body);
      expect(reply.status, `${route.method} ${route.path}`).toBe(400);
      const refused = (reply.body.errors as any[]).map((e) => e.field);
      for (const key of [...serverOwned, ...Object.keys(STORAGE_ATTRIBUTES)]) expect(refused, `${route.method} ${route.path}`).toContain(`body.${key}`);
    }
  });
});

describe('storage keys', () => {
  it("are in no response of any GET route, nor in a nurture sequence's lifecycle change", async () => {
    const admin = crm.as('u-admin');
    const first = async (path: string) => ((await admin.get(path)).body.items as any[])[0].id as string;
    const marketing = crm.as('u-marketing');
    const sequence = sampleWelcomeSequence('keys-probe');
    expect((await marketing.post('/nurture/sequences', sequence)).status).toBe(201);
    const leaks: string[] = [];
    const activated = await marketing.post('/nurture/sequences/keys-probe/lifecycle', { action: 'activate' });
    expect(activated.status).toBe(200);
    leaks.push(...storageKeysIn(activated.body).map((key) => `POST lifecycle activate: ${key}`));
    const paused = await marketing.post('/nurture/sequences/keys-probe/lifecycle', { action: 'pause' });
    leaks.push(...storageKeysIn(paused.body).map((key) => `POST lifecycle pause: ${key}`));

    // a promotion submitted, so that an approval request exists to read
    const sam = crm.as('u-sales');
    const draft = ((await sam.get('/promotions?status=draft')).body.items as any[])[0];
    expect((await sam.post(`/promotions/${draft.id}/submit`, {})).status).toBe(202);
    const requestId = `promotion-${draft.id}-1`;
    await crm.eventually(() => admin.get(`/approvals/${requestId}`), (r) => r.status === 200, 30_000);

    const ids: Record<string, string> = {
      accounts: await first('/accounts'), contacts: await first('/contacts'), leads: await first('/leads'),
      opportunities: await first('/opportunities'), activities: await first('/activities'), products: await first('/products'),
      users: 'u-sales', departments: 'd-north', funds: await first('/funds'), campaigns: await first('/campaigns'),
      promotions: draft.id, approvals: requestId, 'approval-policies': 'promotion-approval', nurture: 'keys-probe',
      tickets: await first('/tickets'),
      // a handover of a book with nothing in it, so that the other reads here find what they expect
      handovers: (await crm.as('u-ops').post('/handovers', { fromUserId: 'u-finance-director', toUserId: 'u-finance' })).body.id,
    };
    const leadId = ids.leads!;
    const pathFor = (path: string) => {
      const [, top, second] = path.split('/');
      const key = top === 'nurture' ? (second === 'leads' ? 'lead' : 'nurture') : top!;
      // the demo data's Customer Care team has the one SLA policy; a measures tile: the accounts tile holds the most attributes of an aggregate item
      return path.replace('{id}', key === 'lead' ? leadId : ids[key] ?? 'unknown').replace('{teamId}', 'd-care').replace('{tile}', 'accounts');
    };
    const gets = ROUTES.filter((r) => r.method === 'GET' && r.auth === 'jwt' && !r.path.includes('{token}') && !r.path.includes('{taskId}'));
    // a claim needs a closed-out promotion and a report a settled campaign: report-scope.test.ts reads both
    const readElsewhere = ['/claims/{id}', '/campaigns/{id}/report'];
    const answered: string[] = [];
    for (const route of gets.filter((r) => !readElsewhere.includes(r.path))) {
      const path = pathFor(route.path);
      const reply = await admin.get(path);
      expect(reply.status, `GET ${path}: ${JSON.stringify(reply.body)}`).toBe(200);
      leaks.push(...storageKeysIn(reply.body).map((key) => `GET ${route.path}: ${key}`));
      answered.push(route.path);
    }
    expect(answered.length).toBe(gets.length - readElsewhere.length);
    expect(leaks).toEqual([]);
  }, 120_000);
});
