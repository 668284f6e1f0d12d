import { PutEventsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { decideApproval } from './support/approvals';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/**
 * Trade promotions against the whole local runtime (DOMAIN.md processes 1-3), business time moved by
 * the local clock. Approvals are decided through the approval engine, by its approvers, as people do
 * (test/integration/support/approvals.ts).
 */
let crm: LocalCrm;
const DAY = 24 * 3600;
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
let nowMs: number;
const at = (days: number) => new Date(nowMs + days * DAY * 1000).toISOString();

/** business time is the local clock's: read it before planning dates */
async function readClock() {
  const clock = await (await fetch(`${crm.runtime.edgeUrl}/_local/clock`)).json() as { now?: string };
  nowMs = clock.now ? Date.parse(clock.now) : Date.now();
}

beforeAll(async () => {
  crm = await startLocalCrm();
  await readClock();
});
afterAll(async () => crm?.stop());

async function openFund(allocatedMinor: number) {
  const fund = await crm.as('u-finance').post('/funds', { name: `North fund ${Math.random()}`, region: 'North', period: '2027-Q1', allocated: eur(allocatedMinor) });
  expect(fund.status).toBe(201);
  return fund.body.id as string;
}

async function draftPromotion(fundId: string, extra: Record<string, unknown> = {}) {
  if (!extra.campaignId) await readClock();
  const accounts = await crm.as('u-sales').get('/accounts?region=North');
  const made = await crm.as('u-sales').post('/promotions', {
    name: 'Summer water display', description: 'Display at Nordic', type: 'display', region: 'North',
    startsAt: at(10), endsAt: at(20), accountIds: [accounts.body.items[0].id], fundId,
    expenseLines: [{ kind: 'display', amount: eur(600_00) }, { kind: 'tasting', amount: eur(400_00) }],
    ...extra,
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body.id as string;
}

const promotion = (id: string) => crm.as('u-sales').get(`/promotions/${id}`).then((r) => r.body);
const until = <T>(read: () => Promise<T>, done: (v: T) => boolean) => crm.eventually(read, done, 30_000);

async function putErpEvent(detailType: string, detail: object) {
  const events = new EventBridgeClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'ext.erp', DetailType: detailType, Detail: JSON.stringify(detail) }] }));
  events.destroy();
}

describe('a promotion through its whole life', () => {
  it('is approved, reserved, runs, is closed out, claimed, paid and settled with its campaign, with the right ROI', async () => {
    const fundId = await openFund(5_000_00);
    const campaign = await crm.as('u-marketing').post('/campaigns', {
      name: 'Summer 2027', startsAt: at(5), endsAt: at(30), settlementDelayDays: 10, currency: 'EUR',
    });
    expect(campaign.status).toBe(201);
    const id = await draftPromotion(fundId, { campaignId: campaign.body.id });

    expect((await crm.as('u-sales').post(`/promotions/${id}/submit`, {})).status).toBe(202);
    await decideApproval(crm, { subjectType: 'promotion', subjectId: id, outcome: 'approved' });
    const approved = await until(() => promotion(id), (p) => p.status === 'approved');
    expect(approved.money).toMatchObject({ approvedMinor: 1_000_00, reservedMinor: 1_000_00, claimableMinor: 1_000_00 });
    const mails = await until(async () => JSON.stringify(await (await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages`)).json()),
      (text) => text.includes('Approved: Summer water display'));
    expect(mails).toContain('sales@tradeflow.example');

    await crm.advanceClock(11 * DAY);
    await until(() => promotion(id), (p) => p.status === 'active');
    await crm.advanceClock(10 * DAY);
    await until(() => promotion(id), (p) => p.status === 'ended');
    const closed = await crm.as('u-sales').post(`/promotions/${id}/close-out`, {
      actuals: [], evidenceRefs: ['PHOTO-1'], comments: 'went well',
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.status).toBe('closed-out');

    // revenue attributed to the campaign: the same payment three times counts once
    for (let i = 0; i < 3; i++) {
      await putErpEvent('Payment.Received', { paymentId: 'PAY-77', accountCode: 'NORDIC-DIST', receivedAt: at(22), amount: eur(3_000_00), campaignId: campaign.body.id });
    }
    await putErpEvent('Order.Placed', { orderId: 'SO-77', accountCode: 'NORDIC-DIST', placedAt: at(21), amount: eur(3_000_00), promotionId: id });

    // claims: above the remaining budget refused; duplicate evidence refused; a good one approved and paid
    const tooMuch = await crm.as('u-sales').post('/claims', { promotionId: id, lines: [{ kind: 'display', amount: eur(1_200_00), evidenceRef: 'RCPT-1' }] });
    expect(tooMuch.status).toBe(201);
    const refused = await crm.as('u-sales').post(`/claims/${tooMuch.body.id}/submit`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ field: 'lines' });
    expect(refused.body.errors[0].message).toContain('1000.00 EUR');

    const claim = await crm.as('u-sales').post('/claims', { promotionId: id, lines: [
      { kind: 'display', amount: eur(500_00), evidenceRef: 'RCPT-2' }, { kind: 'tasting', amount: eur(300_00), evidenceRef: 'RCPT-3' },
    ] });
    expect((await crm.as('u-sales').post(`/claims/${claim.body.id}/submit`, {})).status).toBe(202);
    const dup = await crm.as('u-sales').post('/claims', { promotionId: id, lines: [{ kind: 'gift', amount: eur(10_00), evidenceRef: 'rcpt-2' }] });
    const dupRefused = await crm.as('u-sales').post(`/claims/${dup.body.id}/submit`, {});
    expect(dupRefused.status).toBe(400);
    expect(dupRefused.body.errors[0]).toMatchObject({ field: 'lines.0.evidenceRef' });

    await decideApproval(crm, { subjectType: 'expense-claim', subjectId: claim.body.id, outcome: 'approved' });
    await until(() => crm.as('u-sales').get(`/claims/${claim.body.id}`).then((r) => r.body), (c) => c.status === 'approved');
    expect((await promotion(id)).money).toMatchObject({ claimedMinor: 800_00, reservedMinor: 200_00, pendingClaimMinor: 0 });
    const claimApproved = (await crm.busEvents()).find((e) => e['detail-type'] === 'Claim.Approved' && e.detail.claimId === claim.body.id);
    expect(claimApproved?.detail.amount).toEqual(eur(800_00));
    await putErpEvent('Claim.Paid', { claimId: claim.body.id, paidAt: at(26), amount: eur(800_00), paymentReference: 'PAYOUT-1' });
    await until(() => crm.as('u-sales').get(`/claims/${claim.body.id}`).then((r) => r.body), (c) => c.status === 'paid');

    // campaign ends at day 30, settles 10 days later
    await crm.advanceClock(20 * DAY);
    const report = await until(() => crm.as('u-marketing').get(`/campaigns/${campaign.body.id}/report`), (r) => r.status === 200);
    expect(report.body).toMatchObject({
      revenueMinor: 3_000_00, payments: 1, orders: 1, orderValueMinor: 3_000_00, costMinor: 800_00,
      roiBasisPoints: 27_500, costPerOrderMinor: 800_00, conversions: null,
    });
    expect(report.body.promotions).toEqual([expect.objectContaining({ id, approvedMinor: 1_000_00, claimedMinor: 800_00, releasedMinor: 200_00 })]);
    expect((await promotion(id)).status).toBe('settled');
    const settled = await until(() => crm.busEvents(), (events) => events.some((e) => e['detail-type'] === 'Campaign.Settled'));
    expect(settled.find((e) => e['detail-type'] === 'Campaign.Settled')?.detail).toMatchObject({ revenueMinor: 3_000_00, costMinor: 800_00, releasedMinor: 200_00 });

    // the fund statement explains the balance line by line, to the minor unit
    const statement = await crm.as('u-finance').get(`/funds/${fundId}/statement`);
    expect(statement.body.balances).toBe(true);
    expect(statement.body.fund).toMatchObject({ allocatedMinor: 5_000_00, availableMinor: 4_200_00, reservedMinor: 0, spentMinor: 800_00 });
    expect(statement.body.entries.map((e: any) => [e.kind, e.amountMinor])).toEqual([
      ['allocate', 5_000_00], ['reserve', 1_000_00], ['spend', 800_00], ['release', 200_00],
    ]);

    // a payment after settlement is recorded and flagged, not lost
    await putErpEvent('Payment.Received', { paymentId: 'PAY-LATE', accountCode: 'NORDIC-DIST', receivedAt: at(41), amount: eur(100_00), campaignId: campaign.body.id });
    const late = await until(() => crm.as('u-marketing').get(`/campaigns/${campaign.body.id}/report`), (r) => r.body.lateEvents === 1);
    expect(late.body).toMatchObject({ lateEvents: 1, revenueMinor: 3_000_00 });
  });
});

describe('rejection, cancellation and a fund that cannot give', () => {
  it('a rejected promotion returns with its reasons and can be resubmitted', async () => {
    const fundId = await openFund(2_000_00);
    const id = await draftPromotion(fundId);
    expect((await crm.as('u-sales').post(`/promotions/${id}/submit`, {})).status).toBe(202);
    await decideApproval(crm, { subjectType: 'promotion', subjectId: id, outcome: 'rejected', reasons: ['tasting too expensive'] });
    const rejected = await until(() => promotion(id), (p) => p.status === 'rejected');
    // the engine's reasons say who rejected it at which step, with their comment
    expect(rejected.rejectionReasons).toEqual(['Rejected by u-north-manager at step "Area manager": tasting too expensive']);
    const revised = await crm.as('u-sales').patch(`/promotions/${id}`, { version: rejected.version, expenseLines: [{ kind: 'display', amount: eur(600_00) }] });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect((await crm.as('u-sales').post(`/promotions/${id}/submit`, {})).status).toBe(202);
    await decideApproval(crm, { subjectType: 'promotion', subjectId: id, outcome: 'approved', submission: 2 });
    const approved = await until(() => promotion(id), (p) => p.status === 'approved');
    expect(approved.money.reservedMinor).toBe(600_00);
  });

  it('a cancellation before the start releases the money, and the promotion never starts', async () => {
    const fundId = await openFund(2_000_00);
    const id = await draftPromotion(fundId);
    await crm.as('u-sales').post(`/promotions/${id}/submit`, {});
    await decideApproval(crm, { subjectType: 'promotion', subjectId: id, outcome: 'approved' });
    await until(() => promotion(id), (p) => p.status === 'approved');
    const cancelled = await crm.as('u-sales').post(`/promotions/${id}/cancel`, {});
    expect(cancelled.body).toMatchObject({ status: 'cancelled', money: { reservedMinor: 0, releasedMinor: 1_000_00 } });
    const statement = await crm.as('u-finance').get(`/funds/${fundId}/statement`);
    expect(statement.body).toMatchObject({ balances: true, fund: { availableMinor: 2_000_00, reservedMinor: 0 } });
  });

  it('a fund that cannot give refuses the reservation and says why', async () => {
    const fundId = await openFund(500_00);
    const id = await draftPromotion(fundId);
    await crm.as('u-sales').post(`/promotions/${id}/submit`, {});
    await decideApproval(crm, { subjectType: 'promotion', subjectId: id, outcome: 'approved' });
    const refused = await until(() => promotion(id), (p) => p.status === 'rejected');
    expect(refused.rejectionReasons[0]).toContain('has 500.00 EUR available');
  });
});
