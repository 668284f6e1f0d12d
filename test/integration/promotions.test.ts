import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { nurtureKeys } from '../../schemas/keys';
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

async function openFund(allocatedMinor: number, departmentId = 'd-north') {
  const fund = await crm.as('u-finance').post('/funds', { name: `North fund ${Math.random()}`, region: 'North', period: '2027-Q1', allocated: eur(allocatedMinor), departmentId });
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

/** A promotion of 1,000.00 EUR from a new fund, submitted and approved by the area manager. */
async function approvedPromotion(allocatedMinor: number) {
  const fundId = await openFund(allocatedMinor);
  const id = await draftPromotion(fundId);
  expect((await crm.as('u-sales').post(`/promotions/${id}/submit`, {})).status).toBe(202);
  await decideApproval(crm, { subjectType: 'promotion', subjectId: id, outcome: 'approved' });
  expect((await until(() => promotion(id), (p) => p.status === 'approved')).status).toBe('approved');
  return { fundId, id };
}

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

    const repMails = () => fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=sales@tradeflow.example`).then((r) => r.json() as Promise<any[]>);
    const before = (await repMails()).length;
    expect((await crm.as('u-sales').post(`/promotions/${id}/submit`, {})).status).toBe(202);
    await decideApproval(crm, { subjectType: 'promotion', subjectId: id, outcome: 'approved' });
    const approved = await until(() => promotion(id), (p) => p.status === 'approved');
    expect(approved.money).toMatchObject({ approvedMinor: 1_000_00, reservedMinor: 1_000_00, claimableMinor: 1_000_00 });
    // the rep hears once of one approved promotion: a mail naming it, its account and fund, its money in euros
    await crm.untilIdle();
    const all = await repMails();
    const outcomes = all.slice(0, all.length - before);
    expect(outcomes.map((m) => m.subject)).toEqual(['Approved: promotion “Summer water display”']);
    const [outcome] = outcomes;
    const account = (await crm.as('u-sales').get('/accounts?region=North')).body.items[0];
    const { fund } = (await crm.as('u-finance').get(`/funds/${fundId}/statement`)).body;
    expect(outcome.text).toContain('Hello Sam Sales,');
    expect(outcome.text).toContain('Amount: €1,000.00');
    expect(outcome.text).toContain(`Accounts: ${account.name}`);
    expect(outcome.text).toContain(`Fund: ${fund.name}`);
    expect(outcome.text).toMatch(new RegExp(`Open the request in Tradeflow: http://127\\.0\\.0\\.1:\\d+/app/approvals/promotion-${id}-1`));
    const withoutLinks = outcome.text.replace(/https?:\/\/\S+/g, '');
    for (const raw of [id, fundId, account.id, 'u-sales', 'amountMinor']) expect(withoutLinks).not.toContain(raw);
    // the approver's mail named them too
    const asked = (await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=manager.north@tradeflow.example`).then((r) => r.json() as Promise<any[]>))
      .find((m) => m.text.includes(`/app/approvals/promotion-${id}-1`));
    expect(asked.text).toContain('Sam Sales asks for your approval of the promotion “Summer water display”');
    expect(asked.text).toContain(`Accounts: ${account.name}`);

    await crm.advanceClock(11 * DAY);
    await until(() => promotion(id), (p) => p.status === 'active');
    await crm.advanceClock(10 * DAY);
    await until(() => promotion(id), (p) => p.status === 'ended');
    // the rep is asked to close it out: when it ended in their zone, and where in the console
    const askedToClose = await until(async () => (await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=sales@tradeflow.example`)
      .then((r) => r.json() as Promise<any[]>)).find((m) => m.subject === 'Please close out Summer water display'), (m) => m !== undefined);
    expect(askedToClose.text).toMatch(/Summer water display ended \w{3} \d{1,2} \w{3}( \d{4})?, \d{2}:\d{2}\./);
    expect(askedToClose.text).toMatch(new RegExp(`http://127\\.0\\.0\\.1:\\d+/app/promotions/${id}$`));
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
    // Claim.Submitted comes from the outbox at least once: put again (a relay killed between the bus and its
    // mark), it starts no second run, and the claim is approved and posted once
    const submitted = await until(() => crm.busEvents(), (events) => events.some((e) => e['detail-type'] === 'Claim.Submitted' && e.detail.claimId === claim.body.id));
    const again = submitted.find((e) => e['detail-type'] === 'Claim.Submitted' && e.detail.claimId === claim.body.id)!;
    const bus = new EventBridgeClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: again.source, DetailType: again['detail-type'], Detail: JSON.stringify(again.detail) }] }));
    bus.destroy();
    const repeated = await until(() => crm.finishedExecutions('tradeflow-expense-claim'), (runs) => runs.some((r) => r.input?.detail?.claimId === claim.body.id));
    expect(repeated.filter((r) => r.input?.detail?.claimId === claim.body.id).map((r) => r.status)).toEqual(['SUCCEEDED']);
    const dup = await crm.as('u-sales').post('/claims', { promotionId: id, lines: [{ kind: 'gift', amount: eur(10_00), evidenceRef: 'rcpt-2' }] });
    const dupRefused = await crm.as('u-sales').post(`/claims/${dup.body.id}/submit`, {});
    expect(dupRefused.status).toBe(400);
    expect(dupRefused.body.errors[0]).toMatchObject({ field: 'lines.0.evidenceRef' });

    await decideApproval(crm, { subjectType: 'expense-claim', subjectId: claim.body.id, outcome: 'approved' });
    await until(() => crm.as('u-sales').get(`/claims/${claim.body.id}`).then((r) => r.body), (c) => c.status === 'approved');
    expect((await promotion(id)).money).toMatchObject({ claimedMinor: 800_00, reservedMinor: 200_00, pendingClaimMinor: 0 });
    const claimApproved = (await crm.busEvents()).filter((e) => e['detail-type'] === 'Claim.Approved' && e.detail.claimId === claim.body.id);
    expect(claimApproved.map((e) => e.detail.amount)).toEqual([eur(800_00)]);
    await putErpEvent('Claim.Paid', { claimId: claim.body.id, paidAt: at(26), amount: eur(800_00), paymentReference: 'PAYOUT-1' });
    await until(() => crm.as('u-sales').get(`/claims/${claim.body.id}`).then((r) => r.body), (c) => c.status === 'paid');

    // two leads converted by the campaign's nurture sequence: the nurture engine's items, as it writes them
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: crm.runtime.dynamoDbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
    for (const leadId of ['lead-a', 'lead-b']) {
      await documents.send(new PutCommand({ TableName: crm.runtime.tableName, Item: { ...nurtureKeys.conversion(campaign.body.id, 'summer-welcome', leadId), leadId } }));
    }
    documents.destroy();

    // campaign ends at day 30, settles 10 days later
    await crm.advanceClock(20 * DAY);
    const report = await until(() => crm.as('u-marketing').get(`/campaigns/${campaign.body.id}/report`), (r) => r.status === 200);
    expect(report.body).toMatchObject({
      revenueMinor: 3_000_00, payments: 1, orders: 1, orderValueMinor: 3_000_00, costMinor: 800_00,
      roiBasisPoints: 27_500, costPerOrderMinor: 800_00, conversions: 2,
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
  }, 180_000); // three workflows and two approvals end to end: 20 s alone, over a minute on a busy 2-core machine
});

describe('rejection, cancellation and a fund that cannot give', () => {
  it('a rejected promotion returns with its reasons and can be resubmitted', async () => {
    const fundId = await openFund(2_000_00);
    const id = await draftPromotion(fundId);
    expect((await crm.as('u-sales').post(`/promotions/${id}/submit`, {})).status).toBe(202);
    // nobody approves their own request: the rep cannot decide the area manager's task
    const request = await until(() => crm.as('u-ops').get(`/approvals/promotion-${id}-1`), (r) => r.body.tasks?.some((t: any) => t.status === 'pending'));
    const task = request.body.tasks.find((t: any) => t.status === 'pending');
    expect(task.assigneeId).toBe('u-north-manager');
    expect((await crm.as('u-sales').post(`/approvals/promotion-${id}-1/tasks/${task.taskId}/decision`, { decision: 'approve' })).status).toBe(403);
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
    const { fundId, id } = await approvedPromotion(2_000_00);
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

describe('lists, and a rejected claim revised', () => {
  const ids = (reply: { body: { items: { id: string }[] } }) => reply.body.items.map((item) => item.id);

  it('lists funds, campaigns, promotions and a promotion\'s claims to those who may see them; a bad filter is 400 naming it', async () => {
    const financeFund = await openFund(1_000_00, 'd-finance');
    const northFund = await crm.as('u-finance').post('/funds', { name: `North Q2 ${Math.random()}`, region: 'North', period: '2027-Q2', allocated: eur(2_000_00), departmentId: 'd-north' });
    expect(northFund.status, JSON.stringify(northFund.body)).toBe(201);
    const noDepartment = await crm.as('u-finance').post('/funds', { name: 'Nowhere', region: 'North', period: '2027', allocated: eur(1_00), departmentId: 'd-nowhere' });
    expect(noDepartment.status).toBe(400);
    expect(noDepartment.body.errors[0]).toMatchObject({ field: 'body.departmentId' });

    expect(ids(await crm.as('u-finance').get('/funds?region=North&limit=100'))).toEqual(expect.arrayContaining([financeFund, northFund.body.id]));
    // a rep sees the funds of their department, with balances; not finance's own nor another branch's
    const repFunds = await crm.as('u-sales').get('/funds?limit=100');
    expect(repFunds.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: northFund.body.id, availableMinor: 2_000_00 })]));
    expect(ids(repFunds)).not.toContain(financeFund);
    expect(ids(await crm.as('u-sales-south').get('/funds?limit=100'))).not.toContain(northFund.body.id);
    // nor may a rep of another branch draw on it
    const southAccounts = await crm.as('u-sales-south').get('/accounts?limit=1');
    const foreign = await crm.as('u-sales-south').post('/promotions', {
      name: 'Borrowed money', description: 'A South promotion on the North fund', type: 'display', region: 'South',
      startsAt: at(10), endsAt: at(20), accountIds: [southAccounts.body.items[0].id], fundId: northFund.body.id, expenseLines: [{ kind: 'display', amount: eur(100_00) }],
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([expect.objectContaining({ field: 'body.fundId' })]);

    const campaign = await crm.as('u-marketing').post('/campaigns', { name: `Autumn ${Math.random()}`, startsAt: at(5), endsAt: at(300), settlementDelayDays: 10, currency: 'EUR' });
    expect(ids(await crm.as('u-sales').get('/campaigns?limit=100'))).toContain(campaign.body.id);
    expect(ids(await crm.as('u-sales').get('/campaigns?ownerId=u-marketing&limit=100'))).toContain(campaign.body.id);

    const id = await draftPromotion(northFund.body.id);
    const drafts = await crm.as('u-sales').get('/promotions?status=draft&limit=100');
    expect(ids(drafts)).toContain(id);
    const listed = drafts.body.items.find((p: any) => p.id === id);
    expect(listed).toMatchObject({ status: 'draft', money: { budgetMinor: 1_000_00 } });
    expect(Object.keys(listed).filter((k) => /^(pk|sk|by.*|closeOutTaskToken)$/.test(k))).toEqual([]);
    expect(ids(await crm.as('u-sales').get('/promotions?ownerId=u-sales&limit=100'))).toContain(id);
    expect(ids(await crm.as('u-marketing').get('/promotions?region=North&limit=100'))).toContain(id);
    expect(ids(await crm.as('u-sales-south').get('/promotions?status=draft&limit=100'))).not.toContain(id);
    // filters combine: the rep's own drafts
    const ownDrafts = await crm.as('u-sales').get('/promotions?status=draft&ownerId=u-sales&limit=100');
    expect(ids(ownDrafts)).toContain(id);
    expect(ownDrafts.body.items.every((p: { status: string; ownerId: string }) => p.status === 'draft' && p.ownerId === 'u-sales')).toBe(true);

    for (const [path, fields] of [
      ['/promotions?colour=red', ['query.colour']],
      ['/promotions?limit=0', ['query.limit']],
      ['/claims?promotionId=', ['query.promotionId']],
      ['/funds?status=open', ['query.status']],
    ] as const) {
      const bad = await crm.as('u-sales').get(path);
      expect(bad.status, path).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort(), path).toEqual(fields);
      expect(bad.body.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true);
    }
  });

  it('a rejected claim comes back with its reasons, is revised by its owner (PATCH with the version read) and approved when resubmitted', async () => {
    const { id } = await approvedPromotion(2_000_00);
    await crm.advanceClock(21 * DAY);
    await until(() => promotion(id), (p) => p.status === 'ended');
    expect((await crm.as('u-sales').post(`/promotions/${id}/close-out`, { actuals: [], evidenceRefs: ['PHOTO-R'] })).status).toBe(200);

    const claim = await crm.as('u-sales').post('/claims', { promotionId: id, lines: [{ kind: 'display', amount: eur(900_00), evidenceRef: 'RCPT-R1' }] });
    expect((await crm.as('u-sales').post(`/claims/${claim.body.id}/submit`, {})).status).toBe(202);
    expect(ids(await crm.as('u-sales').get(`/claims?promotionId=${id}`))).toEqual([claim.body.id]);
    expect(ids(await crm.as('u-finance').get(`/claims?promotionId=${id}`))).toEqual([claim.body.id]);
    expect(ids(await crm.as('u-sales-south').get(`/claims?promotionId=${id}`))).toEqual([]);

    // nobody revises a claim under approval
    const whileSubmitted = await crm.as('u-sales').patch(`/claims/${claim.body.id}`, { version: 2, note: 'too early' });
    expect(whileSubmitted.status).toBe(409);

    await decideApproval(crm, { subjectType: 'expense-claim', subjectId: claim.body.id, outcome: 'rejected', reasons: ['the display receipt is unreadable'] });
    const rejected = await until(() => crm.as('u-sales').get(`/claims/${claim.body.id}`).then((r) => r.body), (c) => c.status === 'rejected');
    expect(rejected.rejectionReasons.join(' ')).toContain('the display receipt is unreadable');
    expect((await promotion(id)).money).toMatchObject({ pendingClaimMinor: 0, claimableMinor: 1_000_00 });

    const revision = { version: rejected.version, lines: [{ kind: 'display', amount: eur(850_00), evidenceRef: 'RCPT-R1-RESCAN' }] };
    expect((await crm.as('u-sales-south').patch(`/claims/${claim.body.id}`, revision)).status).toBe(403);
    expect((await crm.as('u-finance').patch(`/claims/${claim.body.id}`, revision)).status).toBe(403);
    const badLines = await crm.as('u-sales').patch(`/claims/${claim.body.id}`, { version: rejected.version, lines: [{ kind: 'display', amount: eur(-5), evidenceRef: 'X' }] });
    expect(badLines.status).toBe(400);
    expect(badLines.body.errors[0].field).toMatch(/^body\.lines\.0\.amount/);
    expect((await crm.as('u-sales').patch(`/claims/${claim.body.id}`, { ...revision, version: rejected.version - 1 })).status).toBe(409);
    const revised = await crm.as('u-sales').patch(`/claims/${claim.body.id}`, revision);
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body).toMatchObject({ status: 'rejected', total: eur(850_00), version: rejected.version + 1 });

    expect((await crm.as('u-sales').post(`/claims/${claim.body.id}/submit`, {})).status).toBe(202);
    await decideApproval(crm, { subjectType: 'expense-claim', subjectId: claim.body.id, outcome: 'approved', submission: 2 });
    await until(() => crm.as('u-sales').get(`/claims/${claim.body.id}`).then((r) => r.body), (c) => c.status === 'approved');
    expect((await promotion(id)).money).toMatchObject({ claimedMinor: 850_00, reservedMinor: 150_00, pendingClaimMinor: 0 });
    expect((await crm.as('u-sales').get(`/claims?status=approved&limit=100`)).body.items.map((c: any) => c.id)).toContain(claim.body.id);
  });
});
