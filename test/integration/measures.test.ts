import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCrm, type LocalCrm } from './support/local-crm';
import { actOnTicketAt, advanceClockTo, answerSurvey, nextWeekdayAt, surveyLink, zonedAt } from './support/service-desk';

/**
 * The measures from a known data set: deals moved through stages, leads created, converted and answered,
 * ERP orders and payments, all in one month of the local clock no demo record touches. Some events are
 * delivered twice (the ERP's sent again; record changes put on the bus again, as a retried publisher
 * would); every figure must equal what the test computes by hand from what it wrote.
 */
let crm: LocalCrm;
let month: string;
const HOUR = 3600;
const DAY = 24 * HOUR;
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
/** whole seconds, as the measures keep each stage's time */
const seconds = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 1000);

beforeAll(async () => {
  crm = await startLocalCrm();
  // the first of a month well after anything the demo data wrote
  const clock = await (await fetch(`${crm.runtime.edgeUrl}/_local/clock`)).json() as { now?: string; epochMillis?: number };
  const now = new Date(clock.now ?? clock.epochMillis ?? Date.now());
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1, 6));
  month = first.toISOString().slice(0, 7);
  const moved = await fetch(`${crm.runtime.edgeUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: first.toISOString() }) });
  expect(moved.ok).toBe(true);
});
afterAll(async () => crm?.stop());

const erp = (detailType: string, detail: object) => ({ source: 'ext.erp', detailType, detail });

const tile = (user: string, name: string, query = '') => crm.as(user).get(`/measures/tiles/${name}?from=${month}&to=${month}${query}`);
const totalOf = (reply: { body: any }, dimension: string) => (reply.body.totals as any[]).find((t) => t.dimension === dimension);
/** Reads a tile until the consumer has caught up with what the test expects of it. */
const settled = (user: string, name: string, done: (body: any) => boolean, query = '') =>
  crm.eventually(() => tile(user, name, query), (r) => r.status === 200 && done(r.body), 30_000);

describe('the measures from a known data set', () => {
  it('equal the figures computed by hand, each event counted once however often it came', async () => {
    const rep = crm.as('u-sales');
    const account = ((await rep.get('/accounts?region=North')).body.items as any[]).find((a) => a.code === 'NORDIC-DIST');
    const campaign = await crm.as('u-marketing').post('/campaigns', { name: 'Measured spring', startsAt: `${month}-01T00:00:00Z`, endsAt: `${month}-28T00:00:00Z`, settlementDelayDays: 30, currency: 'EUR' });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);

    // two deals: A goes prospecting -> qualification (2 days on) -> proposal (1 day on); B is lost after 3 days
    const deal = (name: string) => rep.post('/opportunities', { accountId: account.id, name, stage: 'prospecting', amount: eur(10_000_00), expectedCloseDate: `${month}-28`, probability: 20 });
    const a = (await deal('Measured A')).body;
    const b = (await deal('Measured B')).body;
    expect(a.stageEnteredAt).toBeDefined();
    // three leads, one of them from the campaign
    const lead = (lastName: string, extra: object = {}) => rep.post('/leads', {
      firstName: 'Mia', lastName, source: 'event', score: 0, status: 'new', marketingConsent: { status: 'unknown' }, ...extra,
    });
    const leads = [(await lead('One', { campaignId: campaign.body.id })).body, (await lead('Two')).body, (await lead('Three')).body];
    expect(leads.every((l) => l.id)).toBe(true);

    // the first answers: a call 3 hours after lead One came, a second call later (not a first answer), a visit 1 hour after deal A
    const activity = (body: object) => rep.post('/activities', { type: 'call', subject: 'Intro call', ...body });
    const leadAnsweredAt = new Date(Date.parse(leads[0].createdAt) + 3 * HOUR * 1000).toISOString();
    expect((await activity({ occurredAt: leadAnsweredAt, leadId: leads[0].id })).status).toBe(201);
    expect((await activity({ occurredAt: new Date(Date.parse(leads[0].createdAt) + 5 * HOUR * 1000).toISOString(), leadId: leads[0].id })).status).toBe(201);
    const dealAnsweredAt = new Date(Date.parse(a.createdAt) + HOUR * 1000).toISOString();
    expect((await activity({ type: 'visit', occurredAt: dealAnsweredAt, opportunityId: a.id, accountId: account.id })).status).toBe(201);

    await crm.advanceClock(2 * DAY);
    const aQualified = (await rep.patch(`/opportunities/${a.id}`, { version: a.version, stage: 'qualification' })).body;
    expect(aQualified.stage).toBe('qualification');
    await crm.advanceClock(DAY);
    const aProposal = (await rep.patch(`/opportunities/${a.id}`, { version: aQualified.version, stage: 'proposal' })).body;
    const bLost = (await rep.patch(`/opportunities/${b.id}`, { version: b.version, stage: 'closed-lost' })).body;
    expect([aProposal.stage, bLost.stage]).toEqual(['proposal', 'closed-lost']);
    const converted = (await rep.patch(`/leads/${leads[1].id}`, { version: leads[1].version, status: 'converted' })).body;
    expect(converted.status).toBe('converted');

    // the ERP: two orders (the first sent twice), then their payments (the first sent twice)
    const orders = [
      erp('Order.Placed', { orderId: 'SO-M1', accountCode: 'NORDIC-DIST', placedAt: `${month}-03T10:00:00Z`, amount: eur(1_000_00) }),
      erp('Order.Placed', { orderId: 'SO-M2', accountCode: 'NORDIC-DIST', placedAt: `${month}-05T10:00:00Z`, amount: eur(500_00), campaignId: campaign.body.id }),
    ];
    await crm.putEvents([orders[0]!, orders[1]!, orders[0]!]);
    await settled('u-sales', 'accounts', (body) => totalOf({ body }, account.id)?.counts.orders === 2);
    const payments = [
      erp('Payment.Received', { paymentId: 'PAY-M1', accountCode: 'NORDIC-DIST', receivedAt: `${month}-13T10:00:00Z`, amount: eur(1_000_00), orderId: 'SO-M1' }),
      erp('Payment.Received', { paymentId: 'PAY-M2', accountCode: 'NORDIC-DIST', receivedAt: `${month}-09T22:00:00Z`, amount: eur(500_00), orderId: 'SO-M2', campaignId: campaign.body.id }),
    ];
    await crm.putEvents([payments[0]!, payments[1]!, payments[0]!]);

    // record changes delivered again: deal A's move to qualification and lead Two's conversion, as the bus carried them
    await crm.untilIdle();
    const carried = (await crm.busEvents()).filter((e) => e['detail-type'] === 'Record.Changed'
      && ((e.detail.id === a.id && e.detail.version === aQualified.version) || (e.detail.id === leads[1].id && e.detail.version === converted.version)));
    expect(carried).toHaveLength(2);
    await crm.putEvents(carried.map((e) => ({ source: e.source, detailType: e['detail-type'], detail: e.detail })));
    await crm.untilIdle();

    // by hand: the pipeline
    const inProspecting = [seconds(a.stageEnteredAt, aQualified.stageEnteredAt), seconds(b.stageEnteredAt, bLost.stageEnteredAt)];
    const inQualification = seconds(aQualified.stageEnteredAt, aProposal.stageEnteredAt);
    const pipeline = await settled('u-sales', 'pipeline', (body) => totalOf({ body }, 'proposal')?.counts.entered === 1 && totalOf({ body }, 'closed-lost')?.counts.entered === 1);
    expect(totalOf(pipeline, 'prospecting')).toMatchObject({
      counts: { entered: 2, exited: 2, advanced: 1, timedExits: 2, stageSeconds: inProspecting[0]! + inProspecting[1]! },
      figures: { conversionRate: 0.5, averageDaysInStage: (inProspecting[0]! + inProspecting[1]!) / 2 / DAY },
    });
    expect(totalOf(pipeline, 'qualification')).toMatchObject({
      counts: { entered: 1, exited: 1, advanced: 1, timedExits: 1, stageSeconds: inQualification },
      figures: { conversionRate: 1, averageDaysInStage: inQualification / DAY },
    });
    expect(totalOf(pipeline, 'proposal')?.counts).toEqual({ entered: 1 });

    // leads: three created this month, one converted
    const leadTile = await settled('u-sales', 'leads', (body) => totalOf({ body }, 'all')?.counts.converted === 1);
    expect(totalOf(leadTile, 'all')).toMatchObject({ counts: { created: 3, converted: 1 }, figures: { conversionRate: 1 / 3 } });

    // response: one of three leads answered after 3 hours; one of two deals after 1 hour
    const response = await settled('u-sales', 'response', (body) => totalOf({ body }, 'lead')?.counts.responded === 1 && totalOf({ body }, 'opportunity')?.counts.responded === 1);
    expect(totalOf(response, 'lead')).toMatchObject({ counts: { created: 3, responded: 1, responseSeconds: 3 * HOUR }, figures: { responseRate: 1 / 3, averageResponseHours: 3 } });
    expect(totalOf(response, 'opportunity')).toMatchObject({ counts: { created: 2, responded: 1, responseSeconds: HOUR }, figures: { averageResponseHours: 1 } });

    // the account: 2 orders of 1,500.00; 2 payments of 1,500.00, paid after 10 and 4.5 days
    const accounts = await settled('u-sales', 'accounts', (body) => totalOf({ body }, account.id)?.counts.payments === 2);
    expect(totalOf(accounts, account.id)).toMatchObject({
      label: 'Nordic Distribution GmbH',
      counts: { orders: 2, payments: 2, paidOrders: 2, paymentDays: 14.5 },
      money: { orderedMinor: { EUR: 1_500_00 }, revenueMinor: { EUR: 1_500_00 } },
      figures: { averagePaymentDays: 7.25 },
    });

    // the campaign: one lead, one order, 500.00 revenue, no cost yet (so no ROI)
    const campaigns = await settled('u-sales', 'campaigns', (body) => totalOf({ body }, campaign.body.id)?.money.revenueMinor?.EUR === 500_00);
    expect(totalOf(campaigns, campaign.body.id)).toMatchObject({ label: 'Measured spring', counts: { leads: 1, orders: 1 }, money: { revenueMinor: { EUR: 500_00 } } });

    // the same figures in the North manager's tree, and in the company's for finance
    for (const [user, query] of [['u-north-manager', ''], ['u-finance', '&view=tree&departmentId=d-company']] as const) {
      const seen = await tile(user, 'accounts', query);
      expect(seen.status).toBe(200);
      expect(totalOf(seen, account.id)?.counts).toMatchObject({ orders: 2, payments: 2 });
    }
  });

  it('counts a team\'s tickets on its SLA clock: opened, first responses, closed and breached, satisfaction, each fact once', async () => {
    const agent = crm.as('u-service');
    const nordicId = ((await crm.as('u-sales').get('/accounts?region=North')).body.items as any[]).find((x) => x.code === 'NORDIC-DIST').id;
    const annaId = ((await crm.as('u-sales').get(`/contacts?accountId=${nordicId}`)).body.items as any[]).find((x) => x.email === 'anna.berg@nordic-dist.example').id;
    // Customer Care works Monday to Friday 09:00-17:00 in Berlin: every step below is inside those hours,
    // so a step's working time is its wall-clock time, except while a ticket waits on the customer
    const monday = nextWeekdayAt(new Date(crm.runtime.clock.now()), 'mon', 9);
    const at = (days: number, hour: number, minute = 0) => zonedAt(monday, days, hour, minute);
    await advanceClockTo(crm, monday);
    const open = async (subject: string, priority: string) => {
      const made = await agent.post('/tickets', { accountId: nordicId, contactId: annaId, subject, category: 'delivery', priority });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      return made.body;
    };
    const act = async (id: string, action: string, when: Date, text = 'Noted') => {
      const reply = await actOnTicketAt(crm, 'u-service', id, action, when, { text });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      return reply.body;
    };
    const rate = async (subject: string, score: number) => {
      const link = await surveyLink(crm, 'anna.berg@nordic-dist.example', subject, score);
      expect((await answerSurvey(link!, score)).status).toBe(200);
    };
    const ms = (from: string, to: string) => Date.parse(to) - Date.parse(from);

    // high priority: first response within 2 working hours, resolution within 16; normal: 8 and 40
    const a = await open('Measured: crushed crates', 'high');
    const b = await open('Measured: late delivery', 'high');
    const c = await open('Measured: invoice question', 'normal');
    const cAnswered = await act(c.id, 'respond', at(0, 9, 30));
    const aAnswered = await act(a.id, 'respond', at(0, 10, 30));
    // b is answered an hour after its first response was due: late
    const bAnswered = await act(b.id, 'respond', at(0, 12));
    await act(b.id, 'wait-on-customer', at(0, 13));
    await act(a.id, 'resolve', at(0, 15));
    const aClosed = await act(a.id, 'close', at(0, 15, 5));
    await rate('Measured: crushed crates', 5);
    await act(b.id, 'customer-replied', at(1, 10));
    const bClosed = await act(b.id, 'close', at(1, 13));
    await rate('Measured: late delivery', 2);
    // a comes back: its second cycle is opened and answered again, counted on their own
    const aReopened = await act(a.id, 'reopen', at(1, 14), 'Two more crates were crushed');
    const aAnsweredAgain = await act(a.id, 'respond', at(1, 15));
    expect([aReopened.cycle, aAnsweredAgain.firstRespondedAt]).toEqual([2, aAnsweredAgain.updatedAt]);

    // by hand: first responses in working time from each cycle's start
    const firstResponseMs = [
      ms(c.createdAt, cAnswered.firstRespondedAt), ms(a.createdAt, aAnswered.firstRespondedAt), ms(b.createdAt, bAnswered.firstRespondedAt),
      ms(aReopened.clock.startedAt, aAnsweredAgain.firstRespondedAt),
    ];
    const firstResponseSeconds = firstResponseMs.reduce((sum, t) => sum + Math.round(t / 1000), 0);
    // resolutions: a in one stretch; b before it waited on the customer and after the customer replied
    const [bPause] = bClosed.clock.pauses;
    const resolutionSeconds = Math.round(ms(a.createdAt, aClosed.resolvedAt) / 1000) + Math.round((ms(b.createdAt, bPause.from) + ms(bPause.to, bClosed.resolvedAt)) / 1000);
    const range = `from=${monday.toISOString().slice(0, 7)}&to=${at(1, 15).toISOString().slice(0, 7)}`;
    const expected = {
      counts: {
        opened: 3, reopened: 1,
        firstResponses: 4, firstResponsesLate: 1, timedFirstResponses: 4, firstResponseWorkingSeconds: firstResponseSeconds,
        // b missed its first-response target, so 1 of the 2 closed breached
        closed: 2, closedBreached: 1, timedResolutions: 2, resolutionWorkingSeconds: resolutionSeconds,
        ratings: 2, ratingSum: 5 + 2,
      },
      figures: {
        breachRate: 1 / 2,
        averageFirstResponseWorkingHours: firstResponseSeconds / 4 / 3600,
        averageResolutionWorkingHours: resolutionSeconds / 2 / 3600,
        averageSatisfaction: (5 + 2) / 2,
      },
    };
    const serviceTile = (user: string, query = '') => crm.as(user).get(`/measures/tiles/service?${range}${query}`);
    const team = await crm.eventually(() => serviceTile('u-service'), (r) => r.status === 200 && totalOf(r, 'all')?.counts.ratings === 2 && totalOf(r, 'all')?.counts.firstResponses === 4, 30_000);
    expect(team.body).toMatchObject({ view: 'department', departmentId: 'd-care' });
    expect(totalOf(team, 'all')).toEqual({ dimension: 'all', money: {}, ...expected });
    // the first-response figure agrees with what the ticket itself says
    expect(firstResponseMs[1]).toBeLessThanOrEqual(2 * HOUR * 1000);
    expect(firstResponseMs[2]).toBeGreaterThan(2 * HOUR * 1000);

    // every ticket event delivered again (a relay's retry), one of them twice in a batch: nothing changes
    await crm.untilIdle();
    const ids = new Set([a.id, b.id, c.id]);
    const carried = (await crm.busEvents()).filter((e) => String(e['detail-type']).startsWith('Ticket.') && ids.has(e.detail.ticketId));
    expect(new Set(carried.map((e) => e['detail-type']))).toEqual(new Set(['Ticket.Created', 'Ticket.FirstResponded', 'Ticket.Breached', 'Ticket.Closed', 'Ticket.Rated', 'Ticket.Reopened']));
    const again = carried.map((e) => ({ source: e.source, detailType: e['detail-type'], detail: e.detail }));
    const redelivered = [...again, again.find((e) => e.detailType === 'Ticket.Closed')!];
    await crm.putEvents(redelivered);
    await crm.untilIdle();
    expect(totalOf(await serviceTile('u-service'), 'all')).toEqual({ dimension: 'all', money: {}, ...expected });

    // the same figures for the agent's own work, the team's manager (its tree) and admin (the company's tree)
    for (const [user, query] of [['u-service', '&view=own'], ['u-care-manager', ''], ['u-admin', '&view=tree&departmentId=d-company']] as const) {
      const seen = await serviceTile(user, query);
      expect(seen.status).toBe(200);
      expect(totalOf(seen, 'all')).toEqual({ dimension: 'all', money: {}, ...expected });
    }
    // another team's figures are refused as a department that does not exist is
    const otherTeam = await serviceTile('u-service', '&departmentId=d-north');
    expect([otherTeam.status, otherTeam.contentType]).toEqual([403, expect.stringContaining('application/problem+json')]);
    expect(otherTeam.body.detail).toContain('departmentId names no department whose measures you may read (d-north)');
    const nowhere = await serviceTile('u-service', '&departmentId=d-nowhere');
    expect([nowhere.status, nowhere.body.detail]).toEqual([403, otherTeam.body.detail.replace('d-north', 'd-nowhere')]);
    expect((await serviceTile('u-sales', '&departmentId=d-care')).status).toBe(403);
    expect((await crm.as('u-service').get('/measures/scopes')).body.tiles).toEqual(['service']);
  });

  it('serves a tile within the caller\'s read scope only, and names the bad field', async () => {
    const south = await crm.as('u-sales-south').get(`/measures/tiles/pipeline?from=${month}&departmentId=d-north`);
    expect(south.status).toBe(403);
    expect(south.contentType).toContain('application/problem+json');
    expect(south.body.detail).toContain('departmentId names no department whose measures you may read (d-north)');
    const unknown = await crm.as('u-sales-south').get(`/measures/tiles/pipeline?from=${month}&departmentId=d-nowhere`);
    expect([unknown.status, unknown.body.detail]).toEqual([403, south.body.detail.replace('d-north', 'd-nowhere')]);
    // a rep has their department, not the company's tree
    expect((await crm.as('u-sales').get(`/measures/tiles/pipeline?view=tree&departmentId=d-company`)).status).toBe(403);
    const scopes = await crm.as('u-sales').get('/measures/scopes');
    expect(scopes.body.choices.map((c: any) => [c.view, c.departmentId])).toEqual([['department', 'd-north'], ['own', undefined]]);
    // the month the dashboard opens on is the system's, which the local clock moved months ahead of the real one
    expect(scopes.body.currentMonth).toBe(new Date(crm.runtime.clock.now()).toISOString().slice(0, 7));
    expect(scopes.body.currentMonth).not.toBe(new Date().toISOString().slice(0, 7));
    const manager = await crm.as('u-north-manager').get('/measures/scopes');
    expect(manager.body.choices[0]).toMatchObject({ view: 'tree', departmentId: 'd-north' });
    // the South rep's own figures hold nothing of North's
    const own = await crm.as('u-sales-south').get(`/measures/tiles/accounts?from=${month}&view=own`);
    expect([own.status, own.body.totals]).toEqual([200, []]);

    const badTile = await crm.as('u-sales').get('/measures/tiles/happiness');
    expect([badTile.status, badTile.body.errors?.[0]?.field]).toEqual([400, 'path.tile']);
    const badMonth = await crm.as('u-sales').get('/measures/tiles/pipeline?from=2026-13');
    expect([badMonth.status, badMonth.body.errors?.[0]?.field]).toEqual([400, 'query.from']);
    const backwards = await crm.as('u-sales').get(`/measures/tiles/pipeline?from=${month}&to=2020-01`);
    expect([backwards.status, backwards.body.errors?.[0]?.field]).toEqual([400, 'from']);
  });
});
