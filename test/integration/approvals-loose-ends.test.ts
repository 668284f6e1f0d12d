import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/**
 * Where an approval could outlive its purpose or reach the wrong hands: a promotion whose lifecycle gave
 * up waiting, a task ops reassign, a promotion submitted by someone other than its owner. On the whole
 * local runtime with the demo company (u-north-manager manages Sales North, where u-sales works; u-ops
 * manages Sales Operations; u-sales-director is the seed policy's escalation), business time moved by
 * the local clock.
 */
let crm: LocalCrm;
const DAY = 24 * 3600;
beforeAll(async () => {
  crm = await startLocalCrm();
}, 120_000);
afterAll(async () => crm?.stop());

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const at = (days: number) => new Date(crm.runtime.clock.now() + days * DAY * 1000).toISOString();

async function draftPromotion(): Promise<string> {
  const fund = await crm.as('u-finance').post('/funds', { name: `North fund ${Math.random()}`, region: 'North', period: '2027-Q3', allocated: eur(50_000_00), departmentId: 'd-north' });
  expect(fund.status, JSON.stringify(fund.body)).toBe(201);
  const accounts = await crm.as('u-sales').get('/accounts?region=North');
  const made = await crm.as('u-sales').post('/promotions', {
    name: 'Autumn tasting', description: 'Tasting at Nordic', type: 'tasting', region: 'North',
    startsAt: at(60), endsAt: at(70), accountIds: [accounts.body.items[0].id], fundId: fund.body.id,
    expenseLines: [{ kind: 'tasting', amount: eur(900_00) }],
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body.id;
}

/** The approval of a promotion's first submission, read as ops once `done` holds. */
async function approvalOf(promotionId: string, done: (view: any) => boolean) {
  const reply = await crm.eventually(() => crm.as('u-ops').get(`/approvals/promotion-${promotionId}-1`), (r) => r.status === 200 && done(r.body), 30_000);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(Boolean(done(reply.body)), JSON.stringify(reply.body, null, 1)).toBe(true);
  return reply.body;
}
const openTaskOf = (user: string) => (view: any) => view.tasks.find((t: any) => t.assigneeId === user && t.status === 'pending');
const mailsTo = (to: string) => fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=${to}`).then((r) => r.json() as Promise<any[]>);

describe('a promotion whose lifecycle gives up waiting for approval', () => {
  it('withdraws its approval request: tasks closed, no more reminders, a late decision refused, the trail says why', async () => {
    const id = await draftPromotion();
    expect((await crm.as('u-sales').post(`/promotions/${id}/submit`, {})).status).toBe(202);
    const asked = await approvalOf(id, openTaskOf('u-north-manager'));
    const task = openTaskOf('u-north-manager')(asked);

    // the lifecycle waits 30 days for a decision; nobody decides
    await crm.advanceClock(31 * DAY);
    await crm.untilIdle();
    const promotion = (await crm.as('u-sales').get(`/promotions/${id}`)).body;
    expect(promotion.status).toBe('rejected');
    expect(promotion.rejectionReasons.join(' ')).toMatch(/no approval decision within 30 days/);

    const view = await approvalOf(id, (v) => v.request.status !== 'pending');
    expect(view.request.status).toBe('recalled');
    expect(view.request.reasons.join(' ')).toMatch(/withdrawn.*no approval decision within 30 days/i);
    expect(view.tasks.filter((t: any) => t.status === 'pending')).toEqual([]);
    const audit = (await crm.as('u-sales').get(`/approvals/promotion-${id}-1/audit`)).body.items;
    expect(audit.find((e: any) => e.action === 'withdrawn')).toMatchObject({ actor: 'promotion-lifecycle', comment: expect.stringMatching(/no approval decision within 30 days/) });
    expect((await crm.as('u-north-manager').get('/approval-inbox')).body.items.map((t: any) => t.requestId)).not.toContain(`promotion-${id}-1`);
    // both workflows ended as designed, neither failed
    const lifecycle = (await crm.finishedExecutions('tradeflow-promotion-lifecycle')).find((e) => e.input.detail?.promotionId === id);
    const engine = (await crm.finishedExecutions('tradeflow-approval')).find((e) => e.input.detail?.requestId === `promotion-${id}-1`);
    expect([lifecycle?.status, engine?.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);

    const late = await crm.as('u-north-manager').post(`/approvals/promotion-${id}-1/tasks/${task.taskId}/decision`, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(late.contentType).toMatch(/application\/problem\+json/);
    expect(late.body.detail).toMatch(/withdrawn by promotion-lifecycle/i);

    // nobody is reminded of it any more
    const approverMails = async () => [...await mailsTo('manager.north@tradeflow.example'), ...await mailsTo('sales.director@tradeflow.example')]
      .filter((m) => m.text.includes(`promotion-${id}-1`)).length;
    const sent = await approverMails();
    await crm.advanceClock(10 * DAY);
    await crm.untilIdle();
    expect(await approverMails()).toBe(sent);
  });
});

describe('ops reassigning a task', () => {
  async function pendingRequest() {
    const id = await draftPromotion();
    expect((await crm.as('u-sales').post(`/promotions/${id}/submit`, {})).status).toBe(202);
    const view = await approvalOf(id, openTaskOf('u-north-manager'));
    return { requestId: `promotion-${id}-1`, taskId: openTaskOf('u-north-manager')(view).taskId as string };
  }
  const reassign = (requestId: string, taskId: string, assigneeId: string) =>
    crm.as('u-ops').post(`/approvals/${requestId}/tasks/${taskId}/reassign`, { assigneeId, comment: 'Nora is away' });

  it('never hands it to themselves, to the requester, or to someone the step would not ask; someone it would ask decides it', async () => {
    const { requestId, taskId } = await pendingRequest();
    const toSelf = await reassign(requestId, taskId, 'u-ops');
    expect(toSelf.status, JSON.stringify(toSelf.body)).toBe(403);
    expect(toSelf.body.detail).toMatch(/yourself|themselves/);
    expect((await reassign(requestId, taskId, 'u-sales')).status).toBe(403);
    const stranger = await reassign(requestId, taskId, 'u-marketing');
    expect(stranger.status, JSON.stringify(stranger.body)).toBe(400);
    expect(stranger.body.errors?.[0]?.field ?? stranger.body.detail).toMatch(/assigneeId/);
    expect(JSON.stringify(stranger.body)).toMatch(/Area manager/);

    // the sales director is who the step escalates to: eligible
    const moved = await reassign(requestId, taskId, 'u-sales-director');
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    const decided = await crm.as('u-sales-director').post(`/approvals/${requestId}/tasks/${moved.body.taskId}/decision`, { decision: 'approve' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  });
});

describe('a promotion submitted by someone other than its owner', () => {
  it("follows the owner's department tree, and the owner still cannot approve it", async () => {
    const id = await draftPromotion();
    // ops submits the rep's promotion; ops manages Sales Operations, whose manager chain is not the rep's
    expect((await crm.as('u-ops').post(`/promotions/${id}/submit`, {})).status).toBe(202);
    const view = await approvalOf(id, (v) => v.tasks.some((t: any) => t.status === 'pending'));
    expect(view.request.submitterId).toBe('u-ops');
    expect(view.tasks.filter((t: any) => t.status === 'pending').map((t: any) => t.assigneeId)).toEqual(['u-north-manager']);

    const task = openTaskOf('u-north-manager')(view);
    const byOwner = await crm.as('u-sales').post(`/approvals/promotion-${id}-1/tasks/${task.taskId}/decision`, { decision: 'approve' });
    expect(byOwner.status).toBe(403);
    expect((await crm.as('u-ops').post(`/approvals/promotion-${id}-1/tasks/${task.taskId}/reassign`, { assigneeId: 'u-sales', comment: 'let the rep do it' })).status).toBe(403);
  });
});
