import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { startLocalCrm, type LocalCrm } from './support/local-crm';
import { advanceClockTo, mailsTo as mailsOf, nextWeekdayAt, surveyLink, zonedAt as berlin } from './support/service-desk';

/**
 * Service tickets end to end on the local runtime: the tickets API, the ticket-sla state machine and its
 * task function, DynamoDB Local, the bus and the local SES, with the local clock advanced instead of
 * sleeping. The demo data's Customer Care team (d-care: agent u-service, manager u-care-manager, under
 * d-company managed by u-admin) works Monday to Friday 09:00-17:00 in Berlin; high priority: first
 * response in 2 working hours, a reminder 30 working minutes before, escalation every 60 after.
 */
let crm: LocalCrm;
let nordicId: string;
let annaId: string;

beforeAll(async () => {
  crm = await startLocalCrm();
  nordicId = (await crm.as('u-sales').get('/accounts?status=active')).body.items.find((a: { code: string }) => a.code === 'NORDIC-DIST').id;
  annaId = (await crm.as('u-sales').get(`/contacts?accountId=${nordicId}`)).body.items.find((c: { email: string }) => c.email === 'anna.berg@nordic-dist.example').id;
}, 120_000);
afterAll(async () => crm?.stop());

const agent = () => crm.as('u-service');
const mailsTo = (to: string) => mailsOf(crm, to);
const now = () => crm.runtime.clock.now();
const advanceTo = (at: Date) => advanceClockTo(crm, at);
/** The next Friday at 17:30 in Berlin after the local clock's now. */
const nextFriday1730 = () => nextWeekdayAt(new Date(now()), 'fri', 17, 30);

async function ticket(id: string, done: (t: any) => boolean = () => true) {
  const reply = await crm.eventually(() => agent().get(`/tickets/${id}`), (r) => r.status === 200 && done(r.body), 20_000);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(done(reply.body), JSON.stringify(reply.body, null, 1)).toBe(true);
  return reply.body;
}
const milestone = (kind: string, level?: number) => (t: any) => t.milestones.some((m: any) => m.kind === kind && m.target === 'first-response' && (level === undefined || m.level === level));

async function open(body: Record<string, unknown> = {}) {
  const made = await agent().post('/tickets', { accountId: nordicId, contactId: annaId, subject: `Broken cases ${Math.random().toString(36).slice(2, 7)}`, category: 'delivery', priority: 'high', ...body });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return made.body;
}
const act = async (id: string, action: string, body: Record<string, unknown> = {}) => {
  const current = (await agent().get(`/tickets/${id}`)).body;
  const reply = await agent().post(`/tickets/${id}/${action}`, { version: current.version, ...body });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
};

describe('the SLA clock on business time', () => {
  it('a high-priority ticket opened Friday 17:30 breaches first response on Monday 11:00, reminds before, escalates to the manager and then up', async () => {
    const friday = nextFriday1730();
    await advanceTo(friday);
    const made = await open();
    const monday = (h: number, m = 0) => berlin(friday, 3, h, m);
    expect(made.firstResponseDueAt).toBe(monday(11).toISOString());
    expect(made.ownerId).toBe('u-service');
    expect(made.departmentId).toBe('d-care');

    // the weekend counts for nothing
    await advanceTo(berlin(friday, 1, 10));
    await crm.untilIdle();
    expect((await agent().get(`/tickets/${made.id}`)).body.milestones).toEqual([]);

    // the reminder at 10:30, to the assignee
    await advanceTo(monday(10, 30));
    const reminded = await ticket(made.id, milestone('reminded'));
    expect(reminded.milestones[0]).toMatchObject({ kind: 'reminded', dueAt: monday(10, 30).toISOString(), to: 'u-service' });
    expect((await mailsTo('care@tradeflow.example')).some((m) => m.subject.startsWith('Reminder: first response'))).toBe(true);

    // nothing more before 11:00
    await advanceTo(monday(10, 59));
    await crm.untilIdle();
    expect((await agent().get(`/tickets/${made.id}`)).body.milestones.map((m: any) => m.kind)).toEqual(['reminded']);

    // the breach at 11:00, to the agent's manager
    await advanceTo(monday(11));
    const breached = await ticket(made.id, milestone('breached', 1));
    expect(breached.milestones.find((m: any) => m.kind === 'breached')).toMatchObject({ level: 1, dueAt: monday(11).toISOString(), to: 'u-care-manager' });
    const escalation = await crm.eventually(() => mailsTo('manager.care@tradeflow.example'), (list) => list.some((m) => m.subject.includes(made.subject)));
    expect(escalation.find((m) => m.subject.includes(made.subject))?.subject).toMatch(/^Escalated: first response/);
    const events = await crm.eventually(() => crm.busEvents(), (list) => list.some((e) => e['detail-type'] === 'Ticket.Breached' && e.detail.ticketId === made.id));
    expect(events.find((e) => e['detail-type'] === 'Ticket.Breached' && e.detail.ticketId === made.id)?.detail).toMatchObject({ target: 'first-response', level: 1, escalatedTo: 'u-care-manager' });

    // an hour of working time later, one level further up the department tree
    await advanceTo(monday(12));
    const escalated = await ticket(made.id, milestone('escalated', 2));
    expect(escalated.milestones.find((m: any) => m.kind === 'escalated')).toMatchObject({ level: 2, dueAt: monday(12).toISOString(), to: 'u-admin' });
    expect(await crm.eventually(() => mailsTo('admin@tradeflow.example'), (list) => list.some((m) => m.subject.includes(made.subject)))).not.toEqual([]);

    // answering ends the first-response clock; the queue sorts by what falls due next (the resolution)
    const answered = await act(made.id, 'respond', { text: 'We are sending replacements with the next delivery.' });
    expect(answered.firstRespondedAt).toBeDefined();
    expect(answered.firstResponseDueAt).toBeUndefined();
    expect(answered.dueAt).toBe(answered.resolutionDueAt);
  });

  it('stops the clock while the ticket waits on the customer, and counts on from their reply', async () => {
    // Monday 12:00 Berlin (the clock is where the test before left it, or later)
    const made = await open({ priority: 'urgent' });
    const due = Date.parse(made.firstResponseDueAt);
    const waiting = await act(made.id, 'wait-on-customer', { text: 'Asked for photos of the damage' });
    expect(waiting.status).toBe('waiting-on-customer');
    expect(waiting.firstResponseDueAt).toBeUndefined();

    const pausedAt = now();
    await advanceTo(new Date(due + 3 * 3600_000));
    await crm.untilIdle();
    const still = (await agent().get(`/tickets/${made.id}`)).body;
    expect(still.milestones.filter((m: any) => m.kind !== 'reminded')).toEqual([]);

    const replied = await act(made.id, 'customer-replied', { text: 'Photos received' });
    expect(replied.status).toBe('open');
    // the due time moved on by the working time that passed while it waited
    const resumedAt = Date.parse(replied.clock.pauses[0].to);
    expect(Date.parse(replied.firstResponseDueAt)).toBeGreaterThan(due);
    expect(replied.clock.pauses[0].from).toBe(waiting.clock.pauses[0].from);
    expect(resumedAt).toBeGreaterThanOrEqual(pausedAt);
  });
});

describe('closing a ticket', () => {
  it('mails a survey whose link shows a page on GET, records one rating on POST and refuses a second', async () => {
    const made = await open({ priority: 'normal', subject: 'Invoice shows the wrong discount' });
    await act(made.id, 'respond', { text: 'Corrected invoice follows' });
    const closed = await act(made.id, 'close', { text: 'Credit note issued' });
    expect(closed.status).toBe('closed');

    const link = await surveyLink(crm, 'anna.berg@nordic-dist.example', 'Invoice shows the wrong discount', 4);
    expect(link).toBeDefined();

    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('value="4" checked');
    expect((await agent().get(`/tickets/${made.id}`)).body.rating).toBeUndefined();

    const target = link!.replace(/\?.*$/, '');
    const first = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=4' });
    expect(first.status).toBe(200);
    const second = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=1' });
    expect(second.status).toBe(409);

    const rated = await agent().get(`/tickets/${made.id}`);
    expect(rated.body.rating).toMatchObject({ score: 4, cycle: 1 });
    const timeline = (await crm.as('u-sales').get(`/accounts/${nordicId}/360`)).body.latestActivities.map((a: any) => a.subject);
    expect(timeline).toEqual(expect.arrayContaining([
      'Ticket opened: Invoice shows the wrong discount', 'Ticket closed: Invoice shows the wrong discount', 'Ticket rated 4 of 5: Invoice shows the wrong discount',
    ]));
    const rating = await crm.eventually(() => crm.busEvents(), (list) => list.some((e) => e['detail-type'] === 'Ticket.Rated' && e.detail.ticketId === made.id));
    expect(rating.filter((e) => e['detail-type'] === 'Ticket.Rated' && e.detail.ticketId === made.id)).toHaveLength(1);

    // a forged link is refused and records nothing
    expect((await fetch(target.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), { method: 'POST', body: 'score=5' })).status).toBe(400);
  });

  it('reopens within the policy window as a new cycle with its own SLA run', async () => {
    const made = await open({ priority: 'low' });
    await act(made.id, 'resolve', { text: 'Sent a replacement' });
    const reopened = await act(made.id, 'reopen', { text: 'The replacement was broken too' });
    expect(reopened).toMatchObject({ status: 'open', cycle: 2 });
    expect(reopened.firstRespondedAt).toBeUndefined();
    expect(reopened.firstResponseDueAt).toBeDefined();
    const events = await crm.eventually(() => crm.busEvents(), (list) => list.some((e) => e['detail-type'] === 'Ticket.Reopened' && e.detail.ticketId === made.id));
    expect(events.find((e) => e['detail-type'] === 'Ticket.Reopened' && e.detail.ticketId === made.id)?.detail.cycle).toBe(2);
  });
});

describe('who may see and do what', () => {
  it('refuses a bad body naming each field, and keeps other departments out', async () => {
    const bad = await agent().post('/tickets', { accountId: nordicId, subject: '', category: 'rumour', priority: 'high' });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toContain('application/problem+json');
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['body.subject', 'body.category']));
    const made = await open({ priority: 'low' });
    expect((await crm.as('u-sales-south').get(`/tickets/${made.id}`)).status).toBe(403);
    expect((await crm.as('u-sales').post(`/tickets/${made.id}/respond`, { version: made.version, text: 'hi' })).status).toBe(403);
    const queue = (await agent().get('/tickets?departmentId=d-care')).body.items;
    expect(queue.some((t: any) => t.id === made.id)).toBe(true);
  });
});

describe("the call centre's tickets", () => {
  it('Ticket.Opened becomes a ticket of the intake team, once, with its SLA running', async () => {
    const bus = new EventBridgeClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const detail = { ticketId: 'CC-9001', openedAt: new Date(now()).toISOString(), subject: 'Caller reports missing crates', priority: 'normal', slaHours: 24, accountCode: 'NORDIC-DIST', contactEmail: 'caller@nordic-dist.example' };
    for (let i = 0; i < 2; i++) {
      await bus.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'ext.call-centre', DetailType: 'Ticket.Opened', Detail: JSON.stringify(detail) }] }));
    }
    bus.destroy();
    const made = await ticket('cc-CC-9001', (t) => t.dueAt !== undefined);
    expect(made).toMatchObject({ departmentId: 'd-care', ownerId: 'u-care-manager', externalId: 'CC-9001', category: 'other', status: 'open' });
    await crm.untilIdle();
    // one SLA run, still running: none failed, and no second run started and ended at once
    const runs = (await crm.finishedExecutions('tradeflow-ticket-sla')).filter((e) => JSON.stringify(e.input).includes('CC-9001'));
    expect(runs).toEqual([]);
    expect((await ticket('cc-CC-9001')).milestones).toEqual([]);
  });
});

describe("a handover of an agent's tickets", () => {
  it('moves their unfinished tickets to a colleague in the team, never to another department, and the SLA then tells the new assignee', async () => {
    const moving = await open({ priority: 'high', subject: 'Pallets arrived wet' });
    const finished = await open({ priority: 'low', subject: 'Asked for a copy of the delivery note' });
    await act(finished.id, 'respond', { text: 'Sent it' });
    await act(finished.id, 'close', { text: 'Done' });
    const ops = crm.as('u-ops');

    // to a sales rep of another department: the tickets stay with their team, and the preview says so
    const away = await ops.post('/handovers/preview', { fromUserId: 'u-service', toUserId: 'u-sales' });
    expect(away.status, JSON.stringify(away.body)).toBe(200);
    expect(away.body.counts.ticket.move).toBe(0);
    expect(away.body.cannotMove.find((i: any) => i.id === moving.id)?.blocked).toBe('stays with department d-care, and u-sales is not in it');

    const body = { fromUserId: 'u-service', toUserId: 'u-care-manager' };
    const preview = await ops.post('/handovers/preview', body);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const tickets = preview.body.items.filter((i: any) => i.kind === 'ticket').map((i: any) => i.id);
    expect(tickets).toContain(moving.id);
    // a closed ticket's history stays with whoever worked it
    expect(tickets).not.toContain(finished.id);
    expect(preview.body.cannotMove).toEqual([]);

    const started = await ops.post('/handovers', body);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await crm.eventually(() => ops.get(`/handovers/${started.body.id}`), (r) => r.body.status === 'completed', 60_000);
    expect(done.body.progress.byKind.ticket).toEqual({ total: tickets.length, moved: tickets.length, notMoved: 0 });
    expect(await ticket(moving.id)).toMatchObject({ ownerId: 'u-care-manager', departmentId: 'd-care', status: 'open' });
    expect((await ticket(finished.id)).ownerId).toBe('u-service');
    const queue = (await crm.as('u-care-manager').get('/tickets?ownerId=u-care-manager')).body.items.map((t: any) => t.id);
    expect(queue).toContain(moving.id);

    // the SLA's reminder reads the assignee when it falls due: it goes to the new one
    await advanceTo(new Date(moving.firstResponseDueAt));
    const subject = (m: any) => m.subject.startsWith('Reminder: first response on “Pallets arrived wet”');
    await crm.eventually(() => mailsTo('manager.care@tradeflow.example'), (list) => list.some(subject));
    expect((await mailsTo('care@tradeflow.example')).some(subject)).toBe(false);
  });
});
