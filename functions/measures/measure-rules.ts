import type { RecordChanged, RecordFacts } from '../../schemas/events';
import type { OrderPlaced, PaymentReceived } from '../../schemas/events';
import type { TicketClosed, TicketCreated, TicketFirstResponded, TicketRated } from '../../schemas/events';
import { OpportunityStageSchema } from '../../schemas/records/opportunity';
import type { MeasureTile } from '../../schemas/measures/tiles';
import type * as z from '../../schemas/zod';

/*
 * The pure rules of the measures: what one event adds to which aggregate. Every figure is a sum or a count
 * (an average is its sum and its count), so adding is all an event does and the order of events does not
 * matter. The handler (record-measures.ts) looks up what a rule needs and writes its measurement once.
 */

/** Counters and sums to add; money as `<field>#<currency>` in minor units. */
export type Increments = Record<string, number>;

/** What one event adds to one row of one tile, and whose work it is (its owner and department). */
export interface Contribution {
  tile: MeasureTile;
  /** the month, YYYY-MM (UTC) */
  period: string;
  dimension: string;
  /** what the console shows for the dimension (an account's name) */
  label?: string;
  ownerId?: string;
  departmentId?: string;
  add: Increments;
}

/** An event's contributions and the key that counts it once (with what its mark keeps for later events). */
export interface Measurement {
  eventKey: string;
  contributions: Contribution[];
  /** kept on the event's mark (an order's time, for its payment's payment days) */
  keep?: Record<string, string>;
}

type RecordChange = z.output<typeof RecordChanged.detail>;
type Order = z.output<typeof OrderPlaced.detail>;
type Payment = z.output<typeof PaymentReceived.detail>;

/** The month of a time, in UTC. */
export const periodOf = (iso: string) => new Date(iso).toISOString().slice(0, 7);
const secondsBetween = (from: string, to: string) => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
export const moneyField = (field: string, currency: string) => `${field}#${currency}`;

const STAGES = OpportunityStageSchema.options;
/** Leaving a stage for a later one (closed-won included) advances the deal; closed-lost does not. */
export const advances = (from: string, to: string) => to !== 'closed-lost' && STAGES.indexOf(to as never) > STAGES.indexOf(from as never);

/** The activities that are a person's answer to a new lead or deal (not the customer's opens, nor ERP entries). */
export const RESPONSE_ACTIVITY_TYPES: readonly string[] = ['call', 'visit', 'meeting', 'mail-sent', 'note', 'task'];

const whose = (change: RecordChange) => ({
  ...(change.ownerId ? { ownerId: change.ownerId } : {}),
  ...(change.departmentId ? { departmentId: change.departmentId } : {}),
});
const labelled = (facts: RecordFacts) => (facts.name ? { label: facts.name } : {});
const recordEventKey = (change: RecordChange) => `RECORD#${change.recordType}#${change.id}#${change.version}`;

/**
 * An opportunity: a new one enters its stage (and awaits a response); a stage change leaves the old stage,
 * with the time spent in it (from the stage's entry to the new one's), and enters the new. Both count in
 * the month of the change.
 */
export function opportunityMeasurement(change: RecordChange): Measurement | undefined {
  const { facts, previous } = change;
  if (!facts?.stage || change.change === 'deleted') return undefined;
  const who = whose(change);
  const enteredAt = facts.stageEnteredAt ?? facts.updatedAt ?? facts.createdAt;
  if (!enteredAt) return undefined;
  const contributions: Contribution[] = [];
  if (change.change === 'created') {
    contributions.push({ tile: 'pipeline', period: periodOf(enteredAt), dimension: facts.stage, ...who, add: { entered: 1 } });
    if (facts.createdAt) contributions.push({ tile: 'response', period: periodOf(facts.createdAt), dimension: 'opportunity', ...who, add: { created: 1 } });
  } else if (previous?.stage && previous.stage !== facts.stage) {
    const since = previous.stageEnteredAt ?? previous.createdAt;
    contributions.push({
      tile: 'pipeline', period: periodOf(enteredAt), dimension: previous.stage, ...who,
      add: { exited: 1, advanced: advances(previous.stage, facts.stage) ? 1 : 0, ...(since ? { stageSeconds: secondsBetween(since, enteredAt), timedExits: 1 } : {}) },
    });
    contributions.push({ tile: 'pipeline', period: periodOf(enteredAt), dimension: facts.stage, ...who, add: { entered: 1 } });
  }
  return contributions.length ? { eventKey: recordEventKey(change), contributions } : undefined;
}

/**
 * A lead: counted when created, in its creation month, with its campaign's leads; its conversion counts
 * in the same month (a cohort: of the leads created in a month, how many became customers), when its
 * status turns `converted`.
 */
export function leadMeasurement(change: RecordChange): Measurement | undefined {
  const { facts, previous } = change;
  if (!facts?.createdAt || change.change === 'deleted') return undefined;
  const who = whose(change);
  const period = periodOf(facts.createdAt);
  const contributions: Contribution[] = [];
  if (change.change === 'created') {
    contributions.push({ tile: 'leads', period, dimension: 'all', ...who, add: { created: 1, ...(facts.status === 'converted' ? { converted: 1 } : {}) } });
    contributions.push({ tile: 'response', period, dimension: 'lead', ...who, add: { created: 1 } });
    if (facts.campaignId) contributions.push({ tile: 'campaigns', period, dimension: facts.campaignId, ...who, add: { leads: 1 } });
  } else if (facts.status === 'converted' && previous?.status !== 'converted') {
    contributions.push({ tile: 'leads', period, dimension: 'all', ...who, add: { converted: 1 } });
  }
  return contributions.length ? { eventKey: recordEventKey(change), contributions } : undefined;
}

/** The lead or deal an activity may answer, as the handler reads it. */
export interface Responded {
  type: 'lead' | 'opportunity';
  id: string;
  createdAt: string;
  ownerId?: string;
  departmentId?: string;
}

/** Which lead or deal a new activity is about, if it is a person's response to one. */
export function respondedTo(change: RecordChange): { type: 'lead' | 'opportunity'; id: string } | undefined {
  const { facts } = change;
  if (change.change !== 'created' || change.changedBy || !facts?.type || !RESPONSE_ACTIVITY_TYPES.includes(facts.type)) return undefined;
  if (facts.leadId) return { type: 'lead', id: facts.leadId };
  if (facts.opportunityId) return { type: 'opportunity', id: facts.opportunityId };
  return undefined;
}

/**
 * The first activity on a new lead or deal is its response: the time from its creation, counted in the
 * month it was created, for its owner. Counted once per lead or deal (its eventKey), so later activities,
 * and a redelivered first one, add nothing.
 */
export function responseMeasurement(change: RecordChange, subject: Responded): Measurement | undefined {
  const occurredAt = change.facts?.occurredAt;
  if (!occurredAt || Date.parse(occurredAt) < Date.parse(subject.createdAt)) return undefined;
  return {
    eventKey: `FIRST_RESPONSE#${subject.type}#${subject.id}`,
    contributions: [{
      tile: 'response', period: periodOf(subject.createdAt), dimension: subject.type,
      ...(subject.ownerId ? { ownerId: subject.ownerId } : {}), ...(subject.departmentId ? { departmentId: subject.departmentId } : {}),
      add: { responded: 1, responseSeconds: secondsBetween(subject.createdAt, occurredAt) },
    }],
  };
}

/**
 * A promotion's money as the business reads it: approved (granted and reserved), claimed (claims filed
 * and not rejected), spent (approved claims, drawn from the fund), released (given back to the fund).
 */
export function promotionFigures(money: RecordFacts['money']): Record<'approved' | 'claimed' | 'spent' | 'released', number> {
  return {
    approved: money?.approvedMinor ?? 0,
    claimed: (money?.claimedMinor ?? 0) + (money?.pendingClaimMinor ?? 0),
    spent: money?.claimedMinor ?? 0,
    released: money?.releasedMinor ?? 0,
  };
}

/**
 * A promotion's change adds what its money moved to the promotion's row, its fund's row and, as cost
 * (what was spent), its campaign's row, in the month of the change.
 */
export function promotionMeasurement(change: RecordChange): Measurement | undefined {
  const { facts, previous } = change;
  const currency = facts?.money?.currency;
  const at = facts?.updatedAt ?? facts?.createdAt;
  if (!facts || !currency || !at || change.change === 'deleted') return undefined;
  const before = promotionFigures(previous?.money);
  const after = promotionFigures(facts.money);
  const add: Increments = {};
  for (const key of Object.keys(after) as (keyof typeof after)[]) {
    const delta = after[key] - before[key];
    if (delta !== 0) add[moneyField(`${key}Minor`, currency)] = delta;
  }
  if (Object.keys(add).length === 0) return undefined;
  const who = whose(change);
  const period = periodOf(at);
  const contributions: Contribution[] = [{ tile: 'promotions', period, dimension: `PROMOTION#${change.id}`, ...labelled(facts), ...who, add }];
  if (facts.fundId) contributions.push({ tile: 'promotions', period, dimension: `FUND#${facts.fundId}`, ...who, add });
  const spent = add[moneyField('spentMinor', currency)];
  if (facts.campaignId && spent) contributions.push({ tile: 'campaigns', period, dimension: facts.campaignId, ...who, add: { [moneyField('costMinor', currency)]: spent } });
  return { eventKey: recordEventKey(change), contributions };
}

/** The account an ERP event names by its code, as the handler reads it. */
export interface MeasuredAccount {
  id: string;
  name?: string;
  ownerId?: string;
  departmentId?: string;
}
const ownerOf = (account: MeasuredAccount) => ({
  ...(account.ownerId ? { ownerId: account.ownerId } : {}),
  ...(account.departmentId ? { departmentId: account.departmentId } : {}),
});
const accountRow = (account: MeasuredAccount) => ({ dimension: account.id, ...(account.name ? { label: account.name } : {}), ...ownerOf(account) });

export const orderEventKey = (orderId: string) => `ORDER#${orderId}`;

/** An order: the account's order count and order value in its month, and its campaign's orders. Its time is kept for its payment. */
export function orderMeasurement(order: Order, account: MeasuredAccount): Measurement {
  const period = periodOf(order.placedAt);
  const contributions: Contribution[] = [{
    tile: 'accounts', period, ...accountRow(account), add: { orders: 1, [moneyField('orderedMinor', order.amount.currency)]: order.amount.amountMinor },
  }];
  if (order.campaignId) contributions.push({ tile: 'campaigns', period, dimension: order.campaignId, ...ownerOf(account), add: { orders: 1 } });
  return { eventKey: orderEventKey(order.orderId), contributions, keep: { placedAt: order.placedAt } };
}

/**
 * A payment: the account's payments and revenue in its month and, when it names an order already
 * counted, the days from the order to the payment; its campaign's revenue.
 */
export function paymentMeasurement(payment: Payment, account: MeasuredAccount, orderPlacedAt?: string): Measurement {
  const period = periodOf(payment.receivedAt);
  const revenue = moneyField('revenueMinor', payment.amount.currency);
  const days = orderPlacedAt ? secondsBetween(orderPlacedAt, payment.receivedAt) / 86_400 : undefined;
  const contributions: Contribution[] = [{
    tile: 'accounts', period, ...accountRow(account),
    add: { payments: 1, [revenue]: payment.amount.amountMinor, ...(days !== undefined ? { paymentDays: days, paidOrders: 1 } : {}) },
  }];
  if (payment.campaignId) contributions.push({ tile: 'campaigns', period, dimension: payment.campaignId, ...ownerOf(account), add: { [revenue]: payment.amount.amountMinor } });
  return { eventKey: `PAYMENT#${payment.paymentId}`, contributions };
}

type TicketStart = z.output<typeof TicketCreated.detail>;
type TicketFirstResponse = z.output<typeof TicketFirstResponded.detail>;
type TicketClose = z.output<typeof TicketClosed.detail>;
type TicketRating = z.output<typeof TicketRated.detail>;

/**
 * A ticket's figures go to its team (the ticket's department, and the tree above it) and to whoever had
 * it then, one row per month. Each fact counts once per ticket and cycle: a reopened ticket's next
 * cycle is opened, answered, closed and rated again.
 */
const ticketMeasurement = (fact: string, ticket: { ticketId: string; cycle: number; teamId: string; assigneeId?: string | undefined }, at: string, add: Increments): Measurement => ({
  eventKey: `TICKET#${ticket.ticketId}#${ticket.cycle}#${fact}`,
  contributions: [{
    tile: 'service', period: periodOf(at), dimension: 'all',
    ...(ticket.assigneeId ? { ownerId: ticket.assigneeId } : {}), departmentId: ticket.teamId, add,
  }],
});

/** A ticket opened (cycle 1) or reopened (a later cycle), in the month its SLA started. */
export const ticketOpenedMeasurement = (start: TicketStart) =>
  ticketMeasurement('opened', start, start.at, start.cycle === 1 ? { opened: 1 } : { reopened: 1 });

/**
 * A ticket's first answer in its cycle, in the month it was given: the working time it took on the SLA
 * clock (the team's calendar, waits on the customer left out) and whether it missed its target.
 */
export const ticketFirstResponseMeasurement = (response: TicketFirstResponse) =>
  ticketMeasurement('first-response', response, response.respondedAt, {
    firstResponses: 1,
    firstResponsesLate: response.withinSla ? 0 : 1,
    ...(response.workingSeconds !== undefined ? { firstResponseWorkingSeconds: response.workingSeconds, timedFirstResponses: 1 } : {}),
  });

/**
 * A ticket closed, in the month it was closed: the working time to its resolution on the SLA clock, and
 * whether it missed a target (first response or resolution): the breach rate's numerator, of the tickets
 * closed in the month.
 */
export const ticketClosedMeasurement = (closed: TicketClose) =>
  ticketMeasurement('closed', closed, closed.closedAt, {
    closed: 1,
    closedBreached: closed.firstResponseWithinSla && closed.resolutionWithinSla ? 0 : 1,
    ...(closed.resolutionWorkingSeconds !== undefined ? { resolutionWorkingSeconds: closed.resolutionWorkingSeconds, timedResolutions: 1 } : {}),
  });

/** A satisfaction rating (1-5), in the month it was given; one per ticket and cycle. */
export const ticketRatedMeasurement = (rating: TicketRating) =>
  ticketMeasurement('rated', rating, rating.at, { ratings: 1, ratingSum: rating.score });
