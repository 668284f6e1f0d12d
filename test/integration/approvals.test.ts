import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getZonedParts, zonedTimeToInstant } from '../../functions/rules/business-time';
import { WEEKDAYS } from '../../schemas/calendar';
import { launchBrowser } from './support/browser';
import { startLocalCrm, type Caller, type LocalCrm } from './support/local-crm';

/**
 * The approval engine end to end on the local runtime: the API, the approval state machine, its Lambda
 * tasks, DynamoDB Local, the bus and the local SES, with the local clock advanced instead of sleeping.
 * Users and the seed policies come from the demo data (u-north-manager manages Sales North, where u-sales works).
 */
let crm: LocalCrm;
let fundId: string;
let nordicId: string;
beforeAll(async () => {
  crm = await startLocalCrm();
  fundId = (await crm.as('u-sales').get('/funds')).body.items[0].id;
  nordicId = (await crm.as('u-sales').get('/accounts?status=active')).body.items.find((a: { code: string }) => a.code === 'NORDIC-DIST').id;
}, 120_000);
afterAll(async () => crm?.stop());

const eur = (major: number) => ({ amountMinor: major * 100, currency: 'EUR' });
let serial = 0;
/** A promotion Sam Sales drafted, whose expense lines add up to `major` euros: what a promotion approval reads. */
async function promotion(major: number) {
  const title = `Summer display ${serial++}`;
  const made = await crm.as('u-sales').post('/promotions', {
    name: title, type: 'display', description: 'End-of-aisle display', region: 'North', fundId, accountIds: [nordicId],
    startsAt: '2027-06-01T00:00:00Z', endsAt: '2027-06-30T23:59:59Z', expenseLines: [{ kind: 'display', amount: eur(major) }],
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return { type: 'promotion', id: made.body.id as string, title };
}
/** The mails `to` has received, newest first. */
const mailsTo = (to: string) => fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=${to}`).then((r) => r.json() as Promise<any[]>);
/** A subject of a free-form type (no record behind it): ops and admin ask for those. */
const subjectOf = (type: string) => ({ type, id: `${type}-${Date.now().toString(36)}-${serial++}`, departmentId: 'd-north', fields: { amount: eur(1000) } });

async function ask(user: string, subject: { type: string; id: string }, policyId?: string): Promise<string> {
  // a promotion is named by its id; the rest is read from it
  const named = subject.type === 'promotion' ? { type: subject.type, id: subject.id } : subject;
  const response = await crm.as(user).post('/approvals', { subject: named, ...(policyId ? { policyId } : {}) });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body.requestId;
}

/** Reads the request as `user` until `done` holds. */
async function approval(requestId: string, done: (view: any) => boolean, user = 'u-ops') {
  const reply = await crm.eventually(() => crm.as(user).get(`/approvals/${requestId}`), (r) => r.status === 200 && done(r.body), 20_000);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(done(reply.body), JSON.stringify(reply.body, null, 1)).toBe(true);
  return reply.body;
}
const openTask = (view: any, user: string) => view.tasks.find((t: any) => t.assigneeId === user && t.status === 'pending');
const hasOpenTask = (user: string) => (view: any) => Boolean(openTask(view, user));
const ended = (status: string) => (view: any) => view.request.status === status;

const decide = (caller: Caller, requestId: string, taskId: string, decision: string, comment?: string) =>
  caller.post(`/approvals/${requestId}/tasks/${taskId}/decision`, { decision, ...(comment ? { comment } : {}) });

async function policy(document: Record<string, unknown>) {
  const created = await crm.as('u-ops').post('/approval-policies', document);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const activated = await crm.as('u-ops').post(`/approval-policies/${String(document.id)}/activate`, { version: 1 });
  expect(activated.status).toBe(200);
}
const step = (name: string, approvers: unknown[], mode: unknown = { kind: 'any' }, extra: Record<string, unknown> = {}) => ({
  name, approvers, mode, dueIn: { amount: 3, unit: 'workingDays' }, onTimeout: { action: 'reject', reason: 'Nobody decided in time' }, ...extra,
});
const users = (...ids: string[]) => ids.map((userId) => ({ kind: 'user', userId }));

async function outcomeEvent(requestId: string, detailType: string) {
  const events = await crm.eventually(() => crm.busEvents(), (list) => list.some((e) => e['detail-type'] === detailType && e.detail.requestId === requestId));
  return events.find((e) => e['detail-type'] === detailType && e.detail.requestId === requestId);
}

describe('seed policies and dry-run', () => {
  it('are active in the demo data, and a dry-run shows which steps and approvers a request would get', async () => {
    const list = await crm.as('u-sales').get('/approval-policies');
    expect(list.body.items.map((p: any) => [p.policyId, p.activeVersion]).sort()).toEqual([['discount-approval', 1], ['expense-claim-approval', 1], ['promotion-approval', 1]]);
    const dryRun = await crm.as('u-ops').post('/approval-policies/promotion-approval/dry-run', {
      subject: { type: 'promotion', id: 'p-sample', ownerId: 'u-sales', departmentId: 'd-north', fields: { amount: eur(62_000), region: 'North' } }, submitterId: 'u-sales',
    });
    expect(dryRun.status).toBe(200);
    const steps = dryRun.body.plan.steps.map((s: any) => ({ name: s.name, applies: s.applies, approvers: s.approvers.map((a: any) => a.userId) }));
    expect(steps).toEqual([
      { name: 'Area manager', applies: true, approvers: ['u-north-manager'] },
      { name: 'Sales director', applies: true, approvers: ['u-sales-director'] },
      { name: 'Finance', applies: false, approvers: [] },
    ]);
    expect(dryRun.body.plan.ready).toBe(true);
  });

  it('validates a draft without saving it, naming each bad field', async () => {
    const draft = { id: 'draft-x', name: 'Draft', subjectType: 'discount', steps: [step('One', [], { kind: 'quorum', count: 2 })] };
    const reply = await crm.as('u-ops').post('/approval-policies/validate', { document: draft });
    expect(reply.status).toBe(200);
    expect(reply.body.valid).toBe(false);
    expect(reply.body.errors.map((e: any) => e.field)).toContain('document.steps.0.approvers');
    expect((await crm.as('u-ops').get('/approval-policies/draft-x')).status).toBe(404);
  });

  it('are written by ops and admin only', async () => {
    const reply = await crm.as('u-sales').post('/approval-policies', { id: 'sneaky', name: 'Mine', subjectType: 'discount', steps: [step('Me', users('u-sales'))] });
    expect(reply.status).toBe(403);
  });

  it('refuse a request that no active policy applies to, with the reason', async () => {
    const reply = await crm.as('u-admin').post('/approvals', { subject: subjectOf('no-policy-for-this') });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].field).toBe('body.subject');
  });
});

describe('a promotion under the seed policy', () => {
  it('goes through two steps end to end: area manager, then sales director; the submitter is told', async () => {
    const subject = await promotion(62_000);
    const requestId = await ask('u-sales', subject);
    let view = await approval(requestId, hasOpenTask('u-north-manager'), 'u-sales');
    expect(view.request).toMatchObject({ status: 'pending', policyId: 'promotion-approval', policyVersion: 1, subject });
    expect(view.request.taskToken).toBeUndefined();

    const inbox = await crm.as('u-north-manager').get('/approval-inbox');
    expect(inbox.body.items.map((t: any) => t.requestId)).toContain(requestId);
    expect(inbox.body.items.find((t: any) => t.requestId === requestId).subject.fields.amount).toEqual(eur(62_000));

    expect((await decide(crm.as('u-north-manager'), requestId, openTask(view, 'u-north-manager').taskId, 'approve')).status).toBe(200);
    view = await approval(requestId, hasOpenTask('u-sales-director'));
    expect(view.request.steps.map((s: any) => s.state)).toEqual(['approved', 'open', 'waiting']);
    expect((await crm.as('u-north-manager').get('/approval-inbox')).body.items.map((t: any) => t.requestId)).not.toContain(requestId);

    expect((await decide(crm.as('u-sales-director'), requestId, openTask(view, 'u-sales-director').taskId, 'approve')).status).toBe(200);
    view = await approval(requestId, ended('approved'));
    expect(view.request.steps.map((s: any) => s.state)).toEqual(['approved', 'approved', 'skipped']);
    const event = await outcomeEvent(requestId, 'Approval.Approved');
    expect(event?.detail).toMatchObject({ subjectType: 'promotion', subjectId: subject.id, outcome: 'approved', policyVersion: 1, reasons: [] });

    const audit = await crm.as('u-sales').get(`/approvals/${requestId}/audit`);
    const actions = audit.body.items.map((e: any) => `${e.action}:${e.actor}`);
    expect(actions).toEqual(expect.arrayContaining(['requested:u-sales', 'approved:u-north-manager', 'approved:u-sales-director', 'step-skipped:engine', 'completed:engine']));
    // every mail names people and the promotion by name, the amount in euros, and links to the request's page
    await crm.untilIdle();
    const asked = (await mailsTo('manager.north@tradeflow.example')).filter((m) => m.text.includes(`/app/approvals/${requestId}`));
    expect(asked).toHaveLength(1);
    expect(asked[0].subject).toContain(`Approval needed: promotion “${subject.title}”, €62,000.00 (due `);
    expect(asked[0].text).toContain(`Sam Sales asks for your approval of the promotion “${subject.title}”, at step “Area manager”.`);
    expect(asked[0].text).toContain('Accounts: Nordic Distribution GmbH');
    expect(asked[0].text).toMatch(/Review and decide: http:\/\/127\.0\.0\.1:\d+\/approval-links\//);
    expect(asked[0].text).toMatch(new RegExp(`Open the request in Tradeflow: http://127\\.0\\.0\\.1:\\d+/app/approvals/${requestId}`));
    const told = (await mailsTo('sales@tradeflow.example')).filter((m) => m.text.includes(`/app/approvals/${requestId}`));
    expect(told.map((m) => m.subject)).toEqual([`Approved: promotion “${subject.title}”`]);
    for (const mail of [...asked, ...told]) {
      for (const id of ['u-sales', 'u-north-manager', subject.id]) expect(`${mail.subject}\n${mail.text}`).not.toContain(id);
    }
  });

  it('skips a step whose condition does not hold (a small promotion needs only the area manager)', async () => {
    const requestId = await ask('u-sales', await promotion(10_000));
    const view = await approval(requestId, hasOpenTask('u-north-manager'));
    await decide(crm.as('u-north-manager'), requestId, openTask(view, 'u-north-manager').taskId, 'approve');
    const done = await approval(requestId, ended('approved'));
    expect(done.request.steps.map((s: any) => s.state)).toEqual(['approved', 'skipped', 'skipped']);
  });

  it('refuses self-approval (403), a stranger (403) and a second decision (409); a rejection needs a reason (400)', async () => {
    const requestId = await ask('u-sales', await promotion(20_000));
    const view = await approval(requestId, hasOpenTask('u-north-manager'));
    const { taskId } = openTask(view, 'u-north-manager');
    const self = await decide(crm.as('u-sales'), requestId, taskId, 'approve');
    expect(self.status).toBe(403);
    expect(self.body.detail).toMatch(/submitted/);
    expect((await decide(crm.as('u-sales-south'), requestId, taskId, 'approve')).status).toBe(403);
    const noReason = await decide(crm.as('u-north-manager'), requestId, taskId, 'reject');
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('body.comment');
    expect((await decide(crm.as('u-north-manager'), requestId, taskId, 'reject', 'Budget is spent for Q4')).status).toBe(200);
    expect((await decide(crm.as('u-north-manager'), requestId, taskId, 'approve')).status).toBe(409);
    const done = await approval(requestId, ended('rejected'));
    expect(done.request.reasons).toEqual(['Rejected by u-north-manager at step "Area manager": Budget is spent for Q4']);
    expect((await outcomeEvent(requestId, 'Approval.Rejected'))?.detail.reasons).toEqual(done.request.reasons);
  });

  it('can be recalled by its submitter while pending, and by nobody else', async () => {
    const requestId = await ask('u-sales', await promotion(15_000));
    await approval(requestId, hasOpenTask('u-north-manager'));
    expect((await crm.as('u-north-manager').post(`/approvals/${requestId}/recall`, {})).status).toBe(403);
    expect((await crm.as('u-sales').post(`/approvals/${requestId}/recall`, { reason: 'Wrong outlet list' })).status).toBe(202);
    const done = await approval(requestId, ended('recalled'));
    expect(done.tasks.every((t: any) => t.status !== 'pending')).toBe(true);
    expect((await outcomeEvent(requestId, 'Approval.Recalled'))?.detail.reasons).toEqual(['Recalled by u-sales: Wrong outlet list']);
    expect((await crm.as('u-north-manager').get('/approval-inbox')).body.items.map((t: any) => t.requestId)).not.toContain(requestId);
  });
});

describe('modes', () => {
  it('any: the first decision decides; all: one rejection rejects; quorum: N approvals approve', async () => {
    await policy({ id: 'test-any', name: 'Any', subjectType: 'test-any', steps: [step('Finance', users('u-finance', 'u-finance-director'))] });
    await policy({ id: 'test-all', name: 'All', subjectType: 'test-all', steps: [step('Board', users('u-finance', 'u-finance-director', 'u-ops'), { kind: 'all' })] });
    await policy({ id: 'test-quorum', name: 'Quorum', subjectType: 'test-quorum', steps: [step('Board', users('u-finance', 'u-finance-director', 'u-ops'), { kind: 'quorum', count: 2 })] });

    const any = await ask('u-admin', subjectOf('test-any'));
    let view = await approval(any, hasOpenTask('u-finance-director'));
    await decide(crm.as('u-finance-director'), any, openTask(view, 'u-finance-director').taskId, 'approve');
    view = await approval(any, ended('approved'));
    expect(view.tasks.find((t: any) => t.assigneeId === 'u-finance').status).toBe('cancelled');

    const all = await ask('u-admin', subjectOf('test-all'));
    view = await approval(all, hasOpenTask('u-ops'));
    await decide(crm.as('u-finance'), all, openTask(view, 'u-finance').taskId, 'approve');
    await decide(crm.as('u-ops'), all, openTask(view, 'u-ops').taskId, 'reject', 'Not in this quarter');
    view = await approval(all, ended('rejected'));
    expect(view.request.reasons).toEqual(['Rejected by u-ops at step "Board": Not in this quarter']);

    const quorum = await ask('u-admin', subjectOf('test-quorum'));
    view = await approval(quorum, hasOpenTask('u-ops'));
    await decide(crm.as('u-ops'), quorum, openTask(view, 'u-ops').taskId, 'reject', 'Too expensive');
    await decide(crm.as('u-finance'), quorum, openTask(view, 'u-finance').taskId, 'approve');
    expect((await crm.as('u-ops').get(`/approvals/${quorum}`)).body.request.status).toBe('pending');
    await decide(crm.as('u-finance-director'), quorum, openTask(view, 'u-finance-director').taskId, 'approve');
    await approval(quorum, ended('approved'));
  });
});

describe('people', () => {
  it('an approver away until a date hands new tasks to their delegate', async () => {
    await policy({ id: 'test-delegation', name: 'Delegation', subjectType: 'test-delegation', steps: [step('Finance', users('u-finance'))] });
    const away = new Date(crm.runtime.clock.now() + 5 * 86_400_000).toISOString();
    expect((await crm.as('u-sales').put('/users/u-finance/away', { awayUntil: away, delegateId: 'u-sales' })).status).toBe(403);
    const set = await crm.as('u-finance').put('/users/u-finance/away', { awayUntil: away, delegateId: 'u-finance-director' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    try {
      const requestId = await ask('u-admin', subjectOf('test-delegation'));
      const view = await approval(requestId, hasOpenTask('u-finance-director'));
      expect(openTask(view, 'u-finance-director')).toMatchObject({ via: 'delegate', delegatedFrom: 'u-finance' });
      expect(openTask(view, 'u-finance')).toBeUndefined();
    } finally {
      expect((await crm.as('u-finance').put('/users/u-finance/away', { awayUntil: null })).status).toBe(200);
    }
  });

  it('ops reassigns an open task; the new assignee is reminded and decides it', async () => {
    await policy({ id: 'test-reassign', name: 'Reassign', subjectType: 'test-reassign', steps: [step('Finance', users('u-finance'), { kind: 'any' }, { remindEvery: { amount: 4, unit: 'hours' } })] });
    const requestId = await ask('u-admin', subjectOf('test-reassign'));
    const view = await approval(requestId, hasOpenTask('u-finance'));
    const moved = await crm.as('u-ops').post(`/approvals/${requestId}/tasks/${openTask(view, 'u-finance').taskId}/reassign`, { assigneeId: 'u-finance-director', comment: 'Fin is on sick leave' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    expect(moved.body.nextRemindAt).toBeDefined();
    expect((await decide(crm.as('u-finance'), requestId, openTask(view, 'u-finance').taskId, 'approve')).status).toBe(409);
    await crm.advanceClock(Math.ceil((Date.parse(moved.body.nextRemindAt) - crm.runtime.clock.now()) / 1000) + 60);
    const audit = await crm.eventually(() => crm.as('u-ops').get(`/approvals/${requestId}/audit`),
      (r) => r.body.items.some((e: any) => e.action === 'reminded' && e.assigneeId === 'u-finance-director'));
    expect(audit.body.items.some((e: any) => e.action === 'reminded' && e.assigneeId === 'u-finance-director')).toBe(true);
    await decide(crm.as('u-finance-director'), requestId, moved.body.taskId, 'approve');
    await approval(requestId, ended('approved'));
  });

  it('a policy edited mid-flight does not change the running request', async () => {
    const v1 = { id: 'test-versions', name: 'Versions', subjectType: 'test-versions', steps: [step('Finance', users('u-finance'))] };
    await policy(v1);
    const requestId = await ask('u-admin', subjectOf('test-versions'));
    const view = await approval(requestId, hasOpenTask('u-finance'));
    const v2 = await crm.as('u-ops').put('/approval-policies/test-versions', { ...v1, steps: [...v1.steps, step('Director', users('u-finance-director'))] });
    expect(v2.status, JSON.stringify(v2.body)).toBe(201);
    expect(v2.body.version).toBe(2);
    expect((await crm.as('u-ops').post('/approval-policies/test-versions/activate', { version: 2 })).status).toBe(200);
    await decide(crm.as('u-finance'), requestId, openTask(view, 'u-finance').taskId, 'approve');
    const done = await approval(requestId, ended('approved'));
    expect(done.request.policyVersion).toBe(1);
    expect(done.request.steps).toHaveLength(1);
  });
});

describe('mail links', () => {
  it('open a confirmation page that decides nothing; its POST decides once; a forged link is refused', async () => {
    const subject = await promotion(5_000);
    const requestId = await ask('u-sales', subject);
    await approval(requestId, hasOpenTask('u-north-manager'));
    const messages = await crm.eventually(() => mailsTo('manager.north@tradeflow.example'), (list) => list.some((m) => m.subject.includes(subject.title)));
    const mail = messages.find((m) => m.subject.includes(subject.title));
    const link = /https?:\/\/\S+\/approval-links\/[A-Za-z0-9_.-]+/.exec(mail.text)?.[0];
    expect(link).toBeDefined();

    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    await fetch(link!); // a mail scanner fetching it again
    expect(openTask((await crm.as('u-ops').get(`/approvals/${requestId}`)).body, 'u-north-manager')).toBeDefined();

    // the approver, in a real browser: a rejection without a reason is sent back; the approval is recorded
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(link!);
      expect(await page.textContent('h1')).toBe(`Approve the promotion “${subject.title}”?`);
      expect(await page.textContent('body')).toContain('Amount: €5,000.00');
      expect(await page.textContent('body')).toContain('Asked by: Sam Sales');
      expect(await page.getByRole('link', { name: 'Open the request in Tradeflow' }).getAttribute('href')).toMatch(new RegExp(`/app/approvals/${requestId}$`));
      await Promise.all([page.waitForNavigation(), page.click('button[value=reject]')]);
      expect(await page.textContent('[role=alert]')).toContain('comment');
      expect(openTask((await crm.as('u-ops').get(`/approvals/${requestId}`)).body, 'u-north-manager')).toBeDefined();
      await Promise.all([page.waitForNavigation(), page.click('button[value=approve]')]);
      expect(await page.textContent('body')).toContain('is recorded: approved');
    } finally {
      await browser.close();
    }
    const post = (body: string) => fetch(link!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect((await post('decision=approve')).status).toBe(409);
    await approval(requestId, ended('approved'));

    const forged = link!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(forged)).status).toBe(400);
    expect((await fetch(forged, { method: 'POST', body: 'decision=approve' })).status).toBe(400);
  });
});

/** The local clock moves to the next Friday 18:00 in Berlin (tests after this one see the moved clock). */
async function advanceToFridayEvening() {
  const now = new Date(crm.runtime.clock.now());
  const today = getZonedParts(now, 'Europe/Berlin');
  const daysToFriday = (WEEKDAYS.indexOf('fri') - WEEKDAYS.indexOf(today.weekday) + 7) % 7 || 7;
  const friday = new Date(Date.UTC(today.year, today.month - 1, today.day + daysToFriday));
  const at = zonedTimeToInstant({ year: friday.getUTCFullYear(), month: friday.getUTCMonth() + 1, day: friday.getUTCDate(), hour: 18, minute: 0 }, 'Europe/Berlin');
  await crm.advanceClock(Math.ceil((at.getTime() - now.getTime()) / 1000));
  return at;
}

describe('deadlines (on the local clock)', () => {
  it('a Friday-evening request due in 1 working day escalates on Monday evening, not Saturday', async () => {
    await policy({
      id: 'test-escalation', name: 'Escalation', subjectType: 'test-escalation',
      steps: [step('Finance', users('u-finance'), { kind: 'any' }, { dueIn: { amount: 1, unit: 'workingDays' }, onTimeout: { action: 'escalate', to: users('u-finance-director') } })],
    });
    const friday = await advanceToFridayEvening();
    const requestId = await ask('u-admin', subjectOf('test-escalation'));
    const view = await approval(requestId, hasOpenTask('u-finance'));
    const due = getZonedParts(new Date(openTask(view, 'u-finance').dueAt), 'Europe/Berlin');
    expect(due.weekday).toBe('mon');
    expect(due.hour).toBeGreaterThanOrEqual(16);

    await crm.advanceClock(16 * 3600); // Saturday 10:00
    await crm.untilIdle();
    expect(openTask((await crm.as('u-ops').get(`/approvals/${requestId}`)).body, 'u-finance')).toBeDefined();

    await crm.advanceClock(Math.ceil((Date.parse(openTask(view, 'u-finance').dueAt) - crm.runtime.clock.now()) / 1000) + 60);
    const escalated = await approval(requestId, hasOpenTask('u-finance-director'));
    expect(escalated.tasks.find((t: any) => t.assigneeId === 'u-finance').status).toBe('escalated');
    expect(Date.parse(escalated.tasks.find((t: any) => t.assigneeId === 'u-finance').decidedAt) - friday.getTime()).toBeGreaterThan(2 * 86_400_000);
    await decide(crm.as('u-finance-director'), requestId, openTask(escalated, 'u-finance-director').taskId, 'approve');
    await approval(requestId, ended('approved'));
  });

  it('auto-rejects at the deadline when the policy says so, with its reason', async () => {
    await policy({
      id: 'test-auto-reject', name: 'Auto reject', subjectType: 'test-auto-reject',
      steps: [step('Finance', users('u-finance'), { kind: 'any' }, { dueIn: { amount: 2, unit: 'hours' }, onTimeout: { action: 'reject', reason: 'No answer within 2 hours' } })],
    });
    const requestId = await ask('u-admin', subjectOf('test-auto-reject'));
    await approval(requestId, hasOpenTask('u-finance'));
    await crm.advanceClock(3 * 3600);
    const done = await approval(requestId, ended('rejected'));
    expect(done.request.reasons).toEqual(['Rejected by the deadline at step "Finance": No answer within 2 hours']);
    expect((await outcomeEvent(requestId, 'Approval.Rejected'))?.detail.subjectType).toBe('test-auto-reject');
  });
});
