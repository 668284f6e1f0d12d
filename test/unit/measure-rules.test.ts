import { describe, expect, it } from 'vitest';
import {
  advances, leadMeasurement, opportunityMeasurement, orderMeasurement, paymentMeasurement, promotionMeasurement, respondedTo, responseMeasurement,
  ticketClosedMeasurement, ticketFirstResponseMeasurement, ticketOpenedMeasurement, ticketRatedMeasurement,
} from '../../functions/measures/measure-rules';
import { aggregateUpdates, bucketsOf } from '../../functions/measures/measure-store';
import { tileView } from '../../functions/measures/measure-views';
import { bucketFor, scopeChoices } from '../../functions/measures/measure-scope';
import type { MeasureDepartment } from '../../functions/measures/departments';
import type { Principal } from '../../functions/platform/principal';

const change = (over: Record<string, unknown>) => ({
  recordType: 'OPPORTUNITY', id: 'o-1', change: 'updated' as const, version: 2, changedFields: [], ownerId: 'u-rep', departmentId: 'd-north', ...over,
}) as Parameters<typeof opportunityMeasurement>[0];
const money = (over: Record<string, number>) => ({
  currency: 'EUR', budgetMinor: 0, approvedMinor: 0, reservedMinor: 0, claimedMinor: 0, pendingClaimMinor: 0, claimableMinor: 0, releasedMinor: 0, ...over,
});
const account = { id: 'a-1', name: 'Nordic', ownerId: 'u-rep', departmentId: 'd-north' };

describe('the pipeline measure', () => {
  it('counts a new deal into its stage and as awaiting a response, in the month it entered', () => {
    const m = opportunityMeasurement(change({ change: 'created', version: 1, facts: { stage: 'prospecting', stageEnteredAt: '2026-11-03T10:00:00Z', createdAt: '2026-11-03T10:00:00Z' } }));
    expect(m).toEqual({
      eventKey: 'RECORD#OPPORTUNITY#o-1#1',
      contributions: [
        { tile: 'pipeline', period: '2026-11', dimension: 'prospecting', ownerId: 'u-rep', departmentId: 'd-north', add: { entered: 1 } },
        { tile: 'response', period: '2026-11', dimension: 'opportunity', ownerId: 'u-rep', departmentId: 'd-north', add: { created: 1 } },
      ],
    });
  });

  it('leaves the old stage with the seconds spent in it and enters the new one, in the month of the change', () => {
    const m = opportunityMeasurement(change({
      facts: { stage: 'proposal', stageEnteredAt: '2026-12-01T10:00:00Z' },
      previous: { stage: 'qualification', stageEnteredAt: '2026-11-29T10:00:00Z' },
    }));
    expect(m?.contributions).toEqual([
      { tile: 'pipeline', period: '2026-12', dimension: 'qualification', ownerId: 'u-rep', departmentId: 'd-north', add: { exited: 1, advanced: 1, stageSeconds: 2 * 86_400, timedExits: 1 } },
      { tile: 'pipeline', period: '2026-12', dimension: 'proposal', ownerId: 'u-rep', departmentId: 'd-north', add: { entered: 1 } },
    ]);
  });

  it('does not call a lost deal or a step back an advance', () => {
    expect(advances('negotiation', 'closed-lost')).toBe(false);
    expect(advances('proposal', 'qualification')).toBe(false);
    expect(advances('negotiation', 'closed-won')).toBe(true);
  });

  it('measures nothing for a change that keeps the stage, or a delete', () => {
    expect(opportunityMeasurement(change({ facts: { stage: 'proposal', stageEnteredAt: '2026-12-01T10:00:00Z' }, previous: { stage: 'proposal' } }))).toBeUndefined();
    expect(opportunityMeasurement(change({ change: 'deleted', facts: { stage: 'proposal', stageEnteredAt: '2026-12-01T10:00:00Z' } }))).toBeUndefined();
  });
});

describe('the lead measures', () => {
  it('counts a lead in its creation month, with its campaign, and its conversion in the same month (a cohort)', () => {
    const created = leadMeasurement(change({ recordType: 'LEAD', id: 'l-1', change: 'created', version: 1, facts: { createdAt: '2026-10-30T08:00:00Z', status: 'new', campaignId: 'c-1' } }));
    expect(created?.contributions.map((c) => [c.tile, c.period, c.dimension, c.add])).toEqual([
      ['leads', '2026-10', 'all', { created: 1 }], ['response', '2026-10', 'lead', { created: 1 }], ['campaigns', '2026-10', 'c-1', { leads: 1 }],
    ]);
    const converted = leadMeasurement(change({ recordType: 'LEAD', id: 'l-1', version: 5, facts: { createdAt: '2026-10-30T08:00:00Z', status: 'converted' }, previous: { status: 'qualified' } }));
    expect(converted).toEqual({ eventKey: 'RECORD#LEAD#l-1#5', contributions: [expect.objectContaining({ tile: 'leads', period: '2026-10', add: { converted: 1 } })] });
  });

  it('answers a new lead with the first activity by a person, counted once per lead in its creation month', () => {
    const activity = change({ recordType: 'ACTIVITY', id: 'act-1', change: 'created', version: 1, facts: { type: 'call', occurredAt: '2026-11-02T09:30:00Z', leadId: 'l-1' } });
    expect(respondedTo(activity)).toEqual({ type: 'lead', id: 'l-1' });
    expect(respondedTo({ ...activity, facts: { ...activity.facts, type: 'mail-opened' } })).toBeUndefined();
    const m = responseMeasurement(activity, { type: 'lead', id: 'l-1', createdAt: '2026-11-02T08:00:00Z', ownerId: 'u-rep', departmentId: 'd-north' });
    expect(m).toEqual({
      eventKey: 'FIRST_RESPONSE#lead#l-1',
      contributions: [{ tile: 'response', period: '2026-11', dimension: 'lead', ownerId: 'u-rep', departmentId: 'd-north', add: { responded: 1, responseSeconds: 5400 } }],
    });
  });
});

describe('the promotion and fund measures', () => {
  it('adds what the money moved to the promotion, its fund and (as cost) its campaign', () => {
    const m = promotionMeasurement(change({
      recordType: 'PROMOTION', id: 'p-1', version: 7,
      facts: { name: 'Summer', fundId: 'f-1', campaignId: 'c-1', updatedAt: '2027-02-10T00:00:00Z', money: money({ approvedMinor: 100, claimedMinor: 60, pendingClaimMinor: 0 }) },
      previous: { money: money({ approvedMinor: 100, claimedMinor: 0, pendingClaimMinor: 60 }) },
    }));
    expect(m?.contributions).toEqual([
      { tile: 'promotions', period: '2027-02', dimension: 'PROMOTION#p-1', label: 'Summer', ownerId: 'u-rep', departmentId: 'd-north', add: { 'spentMinor#EUR': 60 } },
      { tile: 'promotions', period: '2027-02', dimension: 'FUND#f-1', ownerId: 'u-rep', departmentId: 'd-north', add: { 'spentMinor#EUR': 60 } },
      { tile: 'campaigns', period: '2027-02', dimension: 'c-1', ownerId: 'u-rep', departmentId: 'd-north', add: { 'costMinor#EUR': 60 } },
    ]);
  });
});

describe('the account measures', () => {
  it('counts an order and keeps its time; its payment adds revenue and the days between them', () => {
    const order = orderMeasurement({ orderId: 'SO-1', accountCode: 'NORDIC', placedAt: '2026-11-01T00:00:00Z', amount: { amountMinor: 1000, currency: 'EUR' }, campaignId: 'c-1' }, account);
    expect(order.keep).toEqual({ placedAt: '2026-11-01T00:00:00Z' });
    expect(order.contributions[0]).toEqual({ tile: 'accounts', period: '2026-11', dimension: 'a-1', label: 'Nordic', ownerId: 'u-rep', departmentId: 'd-north', add: { orders: 1, 'orderedMinor#EUR': 1000 } });
    const payment = paymentMeasurement({ paymentId: 'P-1', accountCode: 'NORDIC', receivedAt: '2026-11-15T12:00:00Z', amount: { amountMinor: 1000, currency: 'EUR' }, orderId: 'SO-1' }, account, '2026-11-01T00:00:00Z');
    expect(payment.contributions[0]?.add).toEqual({ payments: 1, 'revenueMinor#EUR': 1000, paymentDays: 14.5, paidOrders: 1 });
  });
});

describe('the service measures', () => {
  const ticket = { ticketId: 't-1', teamId: 'd-care', assigneeId: 'u-agent' };
  const row = (period: string, add: Record<string, number>) => [{ tile: 'service', period, dimension: 'all', ownerId: 'u-agent', departmentId: 'd-care', add }];
  const start = { ...ticket, accountId: 'a-1', priority: 'high', category: 'delivery', at: '2027-01-29T16:30:00Z' } as const;

  it('counts a ticket opened, and a reopening as its own figure, once per ticket and cycle, in the month its SLA started', () => {
    const opened = ticketOpenedMeasurement({ ...start, cycle: 1 });
    const reopened = ticketOpenedMeasurement({ ...start, cycle: 2, at: '2027-02-03T09:00:00Z' });
    expect(opened).toEqual({ eventKey: 'TICKET#t-1#1#opened', contributions: row('2027-01', { opened: 1 }) });
    expect(reopened).toEqual({ eventKey: 'TICKET#t-1#2#opened', contributions: row('2027-02', { reopened: 1 }) });
  });

  it('counts the first response in the month it was given, with its working time and whether it was late', () => {
    const response = { ...ticket, cycle: 1, priority: 'high' as const, openedAt: '2027-01-29T16:30:00Z', respondedAt: '2027-02-01T10:30:00Z' };
    expect(ticketFirstResponseMeasurement({ ...response, workingSeconds: 5400, withinSla: true })).toEqual({
      eventKey: 'TICKET#t-1#1#first-response',
      contributions: row('2027-02', { firstResponses: 1, firstResponsesLate: 0, firstResponseWorkingSeconds: 5400, timedFirstResponses: 1 }),
    });
    // without SLA terms there is no working time to average, but the response and its lateness count
    expect(ticketFirstResponseMeasurement({ ...response, withinSla: false }).contributions[0]?.add).toEqual({ firstResponses: 1, firstResponsesLate: 1 });
  });

  it('counts a closed ticket as breached when it missed either target, with the working time to its resolution', () => {
    const closed = {
      ...ticket, cycle: 1, accountId: 'a-1', priority: 'high', category: 'delivery', openedAt: '2027-01-29T16:30:00Z',
      firstRespondedAt: '2027-02-01T10:30:00Z', firstResponseWithinSla: true, resolvedAt: '2027-02-02T10:00:00Z', resolutionWithinSla: true,
      resolutionWorkingSeconds: 9 * 3600, closedAt: '2027-03-01T08:00:00Z',
    } as const;
    expect(ticketClosedMeasurement(closed)).toEqual({
      eventKey: 'TICKET#t-1#1#closed', contributions: row('2027-03', { closed: 1, closedBreached: 0, resolutionWorkingSeconds: 9 * 3600, timedResolutions: 1 }),
    });
    expect(ticketClosedMeasurement({ ...closed, firstResponseWithinSla: false }).contributions[0]?.add.closedBreached).toBe(1);
    expect(ticketClosedMeasurement({ ...closed, resolutionWithinSla: false }).contributions[0]?.add.closedBreached).toBe(1);
  });

  it('counts a rating once per ticket and cycle, for the team alone when nobody is named', () => {
    const { assigneeId: _nobody, ...unassigned } = ticket;
    expect(ticketRatedMeasurement({ ...unassigned, cycle: 1, accountId: 'a-1', score: 4, at: '2027-03-02T12:00:00Z' })).toEqual({
      eventKey: 'TICKET#t-1#1#rated',
      contributions: [{ tile: 'service', period: '2027-03', dimension: 'all', departmentId: 'd-care', add: { ratings: 1, ratingSum: 4 } }],
    });
  });

  it('gives the breach rate of the closed tickets, the average working hours and the average rating', () => {
    const [total] = tileView('service', [
      { period: '2027-02', dimension: 'all', closed: 3, closedBreached: 1, firstResponseWorkingSeconds: 3 * 3600, timedFirstResponses: 2, ratings: 1, ratingSum: 5 },
      { period: '2027-03', dimension: 'all', closed: 1, resolutionWorkingSeconds: 6 * 3600, timedResolutions: 2, ratings: 2, ratingSum: 5 },
    ]).totals;
    expect(total?.figures).toEqual({ breachRate: 1 / 4, averageFirstResponseWorkingHours: 1.5, averageResolutionWorkingHours: 3, averageSatisfaction: 10 / 3 });
    expect(tileView('service', [{ period: '2027-02', dimension: 'all', opened: 1 }]).totals[0]?.figures)
      .toEqual({ breachRate: null, averageFirstResponseWorkingHours: null, averageResolutionWorkingHours: null, averageSatisfaction: null });
  });
});

describe('where a measurement is added', () => {
  it('adds to the owner, the department and the tree of every department above it, each item once', () => {
    expect(bucketsOf({ ownerId: 'u-rep', departmentId: 'd-north' }, ['d-north', 'd-company'])).toEqual(['OWNER#u-rep', 'DEPT#d-north', 'TREE#d-north', 'TREE#d-company']);
    const updates = aggregateUpdates({
      eventKey: 'x',
      contributions: [
        { tile: 'promotions', period: '2027-02', dimension: 'FUND#f-1', departmentId: 'd-north', add: { 'spentMinor#EUR': 60 } },
        { tile: 'promotions', period: '2027-02', dimension: 'FUND#f-1', departmentId: 'd-north', add: { 'spentMinor#EUR': 40, 'releasedMinor#EUR': 0 } },
      ],
    }, () => ['d-north']);
    expect(updates.map((u) => [u.key.pk, u.key.sk, u.add])).toEqual([
      ['MEASURES#DEPT#d-north#promotions', '2027-02#FUND#f-1', { 'spentMinor#EUR': 100 }],
      ['MEASURES#TREE#d-north#promotions', '2027-02#FUND#f-1', { 'spentMinor#EUR': 100 }],
    ]);
  });
});

describe('what a tile computes', () => {
  it('gives rates and averages from sums and counts, per month and over the range', () => {
    const view = tileView('pipeline', [
      { period: '2026-11', dimension: 'proposal', exited: 2, advanced: 1, stageSeconds: 86_400, timedExits: 2 },
      { period: '2026-12', dimension: 'proposal', exited: 2, advanced: 2, stageSeconds: 3 * 86_400, timedExits: 2 },
    ]);
    expect(view.rows[0]?.figures).toEqual({ conversionRate: 0.5, averageDaysInStage: 0.5 });
    expect(view.totals).toEqual([{ dimension: 'proposal', counts: { exited: 4, advanced: 3, stageSeconds: 4 * 86_400, timedExits: 4 }, money: {}, figures: { conversionRate: 0.75, averageDaysInStage: 1 } }]);
  });

  it('computes a campaign\'s ROI, cost per lead and per order in each currency', () => {
    const [total] = tileView('campaigns', [{ period: '2026-11', dimension: 'c-1', leads: 4, orders: 2, 'revenueMinor#EUR': 30_000, 'costMinor#EUR': 10_000 }]).totals;
    expect(total?.money).toEqual({ revenueMinor: { EUR: 30_000 }, costMinor: { EUR: 10_000 } });
    expect(total?.figures).toEqual({ 'roiBasisPoints#EUR': 20_000, 'costPerLeadMinor#EUR': 2_500, 'costPerOrderMinor#EUR': 5_000 });
  });
});

describe('whose measures a caller may read', () => {
  const departments = new Map<string, MeasureDepartment>([
    ['d-company', { id: 'd-company', name: 'Company', managerUserId: 'u-boss' }],
    ['d-north', { id: 'd-north', name: 'North', parentId: 'd-company', managerUserId: 'u-north-manager' }],
    ['d-south', { id: 'd-south', name: 'South', parentId: 'd-company' }],
  ]);
  const who = (userId: string, roles: Principal['roles'], departmentId: string): Principal => ({ userId, roles, departmentId });

  it('gives a rep their own work and their department, nothing wider', () => {
    const rep = who('u-rep', ['sales'], 'd-north');
    const choices = scopeChoices(rep, departments);
    expect(choices.map((c) => [c.view, c.departmentId])).toEqual([['department', 'd-north'], ['own', undefined]]);
    expect(bucketFor(rep, {}, choices).bucket).toBe('DEPT#d-north');
    expect(bucketFor(rep, { view: 'own' }, choices).bucket).toBe('OWNER#u-rep');
    expect(() => bucketFor(rep, { departmentId: 'd-south' }, choices)).toThrow(/departmentId names no department whose measures you may read \(d-south\)/);
    expect(() => bucketFor(rep, { departmentId: 'd-nowhere' }, choices)).toThrow(/departmentId names no department whose measures you may read \(d-nowhere\)/);
    expect(() => bucketFor(rep, { view: 'tree', departmentId: 'd-north' }, choices)).toThrow();
  });

  it('gives a manager the tree of the department they manage and the departments under it', () => {
    const boss = who('u-boss', ['sales'], 'd-company');
    const choices = scopeChoices(boss, departments);
    expect(choices.map((c) => [c.view, c.departmentId])).toEqual([['tree', 'd-company'], ['tree', 'd-north'], ['tree', 'd-south'], ['department', 'd-company'], ['own', undefined]]);
    expect(bucketFor(boss, {}, choices).bucket).toBe('TREE#d-company');
    expect(bucketFor(boss, { departmentId: 'd-south' }, choices).bucket).toBe('TREE#d-south');
    const northManager = who('u-north-manager', ['sales'], 'd-north');
    expect(() => bucketFor(northManager, { departmentId: 'd-south' }, scopeChoices(northManager, departments))).toThrow();
  });

  it('gives an agent their team and their own work; the team\'s manager its tree', () => {
    const teams = new Map<string, MeasureDepartment>([...departments, ['d-care', { id: 'd-care', name: 'Care', parentId: 'd-company', managerUserId: 'u-care-manager' }]]);
    const agent = who('u-agent', ['service'], 'd-care');
    const choices = scopeChoices(agent, teams);
    expect(choices.map((c) => [c.view, c.departmentId])).toEqual([['department', 'd-care'], ['own', undefined]]);
    expect(() => bucketFor(agent, { departmentId: 'd-north' }, choices)).toThrow(/departmentId names no department whose measures you may read \(d-north\)/);
    const manager = who('u-care-manager', ['service'], 'd-care');
    expect(bucketFor(manager, {}, scopeChoices(manager, teams)).bucket).toBe('TREE#d-care');
  });

  it('gives finance, marketing, ops and admin every department\'s tree', () => {
    const finance = who('u-finance', ['finance'], 'd-finance');
    expect(scopeChoices(finance, departments).filter((c) => c.view === 'tree').map((c) => c.departmentId)).toEqual(['d-company', 'd-north', 'd-south']);
  });
});

describe('the events the measures count', () => {
  it('are measured each by an entry of the consumer\'s table, and delivered by the deployment\'s rule', async () => {
    const { EVENT_MEASURES } = await import('../../functions/measures/record-measures');
    const { MEASURED_EVENTS } = await import('../../schemas/measures/tiles');
    expect(Object.keys(EVENT_MEASURES).sort()).toEqual(MEASURED_EVENTS.map((e) => e.detailType).sort());
  });
});
