import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { decideApproval } from './support/approvals';
import { startLocalCrm, type LocalCrm } from './support/local-crm';
import { storageKeysIn } from './support/storage-keys';

/**
 * Reports show only what their reader may read. A campaign run by marketing has promotions of Sales
 * North and Sales South: each rep's report has their own department's promotions, and its figures
 * (revenue, orders, cost, ROI) are computed over those alone; marketing and finance see the whole.
 * A fund's statement belongs to the fund: whoever may not read the fund gets no statement.
 */
let crm: LocalCrm;
const DAY = 24 * 3600;
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
let nowMs: number;
const at = (days: number) => new Date(nowMs + days * DAY * 1000).toISOString();

beforeAll(async () => {
  crm = await startLocalCrm();
  const clock = await (await fetch(`${crm.runtime.edgeUrl}/_local/clock`)).json() as { now?: string };
  nowMs = clock.now ? Date.parse(clock.now) : Date.now();
});
afterAll(async () => crm?.stop());

const until = <T>(read: () => Promise<T>, done: (v: T) => boolean) => crm.eventually(read, done, 30_000);

async function putErpEvent(detailType: string, detail: object) {
  const events = new EventBridgeClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'ext.erp', DetailType: detailType, Detail: JSON.stringify(detail) }] }));
  events.destroy();
}

/** A rep's promotion in the campaign, on a new fund of their department, submitted and approved. */
async function approvedPromotion(rep: string, departmentId: string, region: string, campaignId: string, name: string) {
  const fund = await crm.as('u-finance').post('/funds', { name: `${region} fund`, region, period: '2027-Q1', allocated: eur(10_000_00), departmentId });
  expect(fund.status).toBe(201);
  const account = ((await crm.as(rep).get(`/accounts?region=${region}`)).body.items as any[])[0];
  const made = await crm.as(rep).post('/promotions', {
    name, description: name, type: 'display', region, startsAt: at(10), endsAt: at(20), accountIds: [account.id], fundId: fund.body.id, campaignId,
    expenseLines: [{ kind: 'display', amount: eur(1_000_00) }],
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  expect((await crm.as(rep).post(`/promotions/${made.body.id}/submit`, {})).status).toBe(202);
  await decideApproval(crm, { subjectType: 'promotion', subjectId: made.body.id, outcome: 'approved' });
  await until(() => crm.as(rep).get(`/promotions/${made.body.id}`), (r) => r.body.status === 'approved');
  return { id: made.body.id as string, fundId: fund.body.id as string };
}

describe('a campaign report read by each department', () => {
  it("shows each rep their own department's promotions and figures, and the whole to marketing", async () => {
    const campaign = await crm.as('u-marketing').post('/campaigns', { name: 'Two-branch summer', startsAt: at(5), endsAt: at(30), settlementDelayDays: 10, currency: 'EUR' });
    expect(campaign.status).toBe(201);
    const northPromotion = await approvedPromotion('u-sales', 'd-north', 'North', campaign.body.id, 'North display');
    const southPromotion = await approvedPromotion('u-sales-south', 'd-south', 'South', campaign.body.id, 'South display');

    await crm.advanceClock(21 * DAY);
    for (const [rep, p] of [['u-sales', northPromotion], ['u-sales-south', southPromotion]] as const) {
      await until(() => crm.as(rep).get(`/promotions/${p.id}`), (r) => r.body.status === 'ended');
      const closed = await crm.as(rep).post(`/promotions/${p.id}/close-out`, { actuals: [], evidenceRefs: ['PHOTO-1'] });
      expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    }
    const claim = await crm.as('u-sales').post('/claims', { promotionId: northPromotion.id, lines: [{ kind: 'display', amount: eur(100_00), evidenceRef: 'RCPT-N' }] });
    expect(claim.status).toBe(201);
    await putErpEvent('Payment.Received', { paymentId: 'PAY-N', accountCode: 'NORDIC-DIST', receivedAt: at(22), amount: eur(3_000_00), promotionId: northPromotion.id });
    await putErpEvent('Order.Placed', { orderId: 'SO-N', accountCode: 'NORDIC-DIST', placedAt: at(22), amount: eur(2_000_00), promotionId: northPromotion.id });
    await putErpEvent('Payment.Received', { paymentId: 'PAY-S', accountCode: 'IBERIA-WHOLE', receivedAt: at(22), amount: eur(1_000_00), promotionId: southPromotion.id });
    await putErpEvent('Payment.Received', { paymentId: 'PAY-C', accountCode: 'NORDIC-DIST', receivedAt: at(22), amount: eur(500_00), campaignId: campaign.body.id });
    await crm.untilIdle();

    await crm.advanceClock(20 * DAY);
    const report = () => crm.as('u-marketing').get(`/campaigns/${campaign.body.id}/report`);
    await until(report, (r) => r.status === 200);
    const southView = await crm.as('u-sales-south').get(`/campaigns/${campaign.body.id}/report`);
    expect(southView.status).toBe(200);
    expect(southView.body.promotions).toEqual([expect.objectContaining({ id: southPromotion.id, approvedMinor: 1_000_00 })]);
    const southText = JSON.stringify(southView.body);
    expect(southText).not.toContain(northPromotion.id);
    expect(southText).not.toContain('North display');
    expect(southView.body).toMatchObject({ scope: 'department', revenueMinor: 1_000_00, payments: 1, orders: 0, orderValueMinor: 0 });

    const whole = await report();
    expect(whole.body).toMatchObject({ scope: 'all', revenueMinor: 4_500_00, payments: 3, orders: 1 });
    expect(whole.body.promotions.map((p: any) => p.id).sort()).toEqual([northPromotion.id, southPromotion.id].sort());

    const northView = await crm.as('u-sales').get(`/campaigns/${campaign.body.id}/report`);
    expect(northView.body).toMatchObject({ scope: 'department', revenueMinor: 3_000_00, payments: 1, orders: 1, orderValueMinor: 2_000_00 });
    expect(northView.body.promotions.map((p: any) => p.id)).toEqual([northPromotion.id]);

    // neither a report nor a claim carries the table's keys
    expect(storageKeysIn(whole.body)).toEqual([]);
    expect(storageKeysIn(northView.body)).toEqual([]);
    expect(storageKeysIn((await crm.as('u-sales').get(`/claims/${claim.body.id}`)).body)).toEqual([]);

    // a fund's statement is the fund's: South may not read North's fund, so gets none of its movements
    const statement = await crm.as('u-sales-south').get(`/funds/${northPromotion.fundId}/statement`);
    expect(statement.status).toBe(403);
    expect(JSON.stringify(statement.body)).not.toContain('North display');
    expect((await crm.as('u-sales').get(`/funds/${northPromotion.fundId}/statement`)).status).toBe(200);
  }, 240_000);
});
