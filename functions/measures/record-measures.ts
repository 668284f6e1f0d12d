import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  OrderPlaced, PaymentReceived, RecordChanged, TicketClosed, TicketCreated, TicketFirstResponded, TicketRated, TicketReopened,
} from '../../schemas/events';
import { MEASURED_EVENTS } from '../../schemas/measures/tiles';
import { recordKey, uniqueValueKey } from '../../schemas/keys';
import type * as z from '../../schemas/zod';
import { logger } from '../platform/observability';
import { documentClient, tableName } from '../platform/table';
import { queuedEventsHandler, type QueuedEvent } from '../platform/task-handler';
import { departmentTree, lineOf } from './departments';
import {
  leadMeasurement, opportunityMeasurement, orderEventKey, orderMeasurement, paymentMeasurement, promotionMeasurement,
  respondedTo, responseMeasurement, ticketClosedMeasurement, ticketFirstResponseMeasurement, ticketOpenedMeasurement, ticketRatedMeasurement, type Contribution, type MeasuredAccount, type Measurement,
} from './measure-rules';
import { readMark, recordMeasurement, recordMeasurementsTogether } from './measure-store';

type Item = Record<string, unknown>;
type RecordChange = z.output<typeof RecordChanged.detail>;

const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

async function readRecord(type: string, id: string): Promise<Item | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey(type, id) }));
  return Item;
}

/** The first activity on a lead or deal: read the lead or deal for when it was created and whose it is. */
async function measureResponse(change: RecordChange): Promise<Measurement | undefined> {
  const subject = respondedTo(change);
  if (!subject) return undefined;
  const record = await readRecord(subject.type === 'lead' ? 'LEAD' : 'OPPORTUNITY', subject.id);
  const createdAt = str(record?.createdAt);
  if (!record || !createdAt) return undefined;
  const ownerId = str(record.ownerId);
  const departmentId = str(record.departmentId);
  return responseMeasurement(change, { ...subject, createdAt, ...(ownerId ? { ownerId } : {}), ...(departmentId ? { departmentId } : {}) });
}

/**
 * What each record type's changes measure. A new measure of another record (a ticket's first response,
 * its resolution, its breach) is an entry here and a rule in measure-rules.ts.
 */
const RECORD_MEASURES: Record<string, (change: RecordChange) => Measurement | undefined | Promise<Measurement | undefined>> = {
  OPPORTUNITY: opportunityMeasurement,
  LEAD: leadMeasurement,
  ACTIVITY: measureResponse,
  PROMOTION: promotionMeasurement,
};

/** The account the ERP names by its code: its id, name, owner and department; none for a code the CRM does not have. */
async function accountByCode(code: string): Promise<MeasuredAccount | undefined> {
  const { Item: unique } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: uniqueValueKey('ACCOUNT', 'code', code) }));
  const owner = str(unique?.owner);
  if (!owner) return undefined;
  const account = await readRecord('ACCOUNT', owner.slice('ACCOUNT#'.length));
  if (!account || account.deletedAt) return undefined;
  const [name, ownerId, departmentId] = [str(account.name), str(account.ownerId), str(account.departmentId)];
  return { id: String(account.id), ...(name ? { name } : {}), ...(ownerId ? { ownerId } : {}), ...(departmentId ? { departmentId } : {}) };
}

type MeasuredEvent = (typeof MEASURED_EVENTS)[number];
type Order = z.output<typeof OrderPlaced.detail>;
type Payment = z.output<typeof PaymentReceived.detail>;

/**
 * What each measured event adds, by its detail-type, with the records it needs read; nothing for an
 * event no measure counts. A unit test holds this table to MEASURED_EVENTS.
 */
export const EVENT_MEASURES: Record<string, (detail: never) => Promise<Measurement | undefined>> = {
  [RecordChanged.detailType]: async (change: RecordChange) => RECORD_MEASURES[change.recordType]?.(change),
  [OrderPlaced.detailType]: async (order: Order) => {
    const account = await accountByCode(order.accountCode);
    return account && orderMeasurement(order, account);
  },
  [PaymentReceived.detailType]: async (payment: Payment) => {
    const account = await accountByCode(payment.accountCode);
    if (!account) return undefined;
    const order = payment.orderId ? await readMark(orderEventKey(payment.orderId)) : undefined;
    return paymentMeasurement(payment, account, str(order?.placedAt));
  },
  [TicketCreated.detailType]: async (start: z.output<typeof TicketCreated.detail>) => ticketOpenedMeasurement(start),
  [TicketReopened.detailType]: async (start: z.output<typeof TicketReopened.detail>) => ticketOpenedMeasurement(start),
  [TicketFirstResponded.detailType]: async (response: z.output<typeof TicketFirstResponded.detail>) => ticketFirstResponseMeasurement(response),
  [TicketClosed.detailType]: async (closed: z.output<typeof TicketClosed.detail>) => ticketClosedMeasurement(closed),
  [TicketRated.detailType]: async (rating: z.output<typeof TicketRated.detail>) => ticketRatedMeasurement(rating),
};

const measurementOf = (event: QueuedEvent<MeasuredEvent>['event']) =>
  (EVENT_MEASURES[event.detailType] as ((detail: unknown) => Promise<Measurement | undefined>) | undefined)?.(event.detail);

/** Campaigns and funds are shown by name: read once per instance. */
const names = new Map<string, string | undefined>();
async function nameOf(type: 'CAMPAIGN' | 'FUND', id: string): Promise<string | undefined> {
  const key = `${type}#${id}`;
  if (!names.has(key)) names.set(key, str((await readRecord(type, id))?.name));
  return names.get(key);
}
async function labelled(contribution: Contribution): Promise<Contribution> {
  if (contribution.label) return contribution;
  const named = contribution.tile === 'campaigns' ? await nameOf('CAMPAIGN', contribution.dimension)
    : contribution.tile === 'promotions' && contribution.dimension.startsWith('FUND#') ? await nameOf('FUND', contribution.dimension.slice('FUND#'.length))
    : undefined;
  return named ? { ...contribution, label: named } : contribution;
}

/**
 * The measures' consumer, fed in batches by its queue: each event's measurement is added to the
 * aggregates of its owner, its department and every department above it, once (see recordMeasurement);
 * a batch's measurements together in one transaction when they can be (recordMeasurementsTogether).
 * A message whose work failed goes back to the queue alone.
 */
export const handler = queuedEventsHandler(MEASURED_EVENTS, async (batch, now) => {
  const failed: string[] = [];
  const measured: { messageId: string; eventId: string; measurement: Measurement }[] = [];
  for (const { messageId, event } of batch) {
    try {
      const measurement = await measurementOf(event);
      if (!measurement) continue;
      const contributions = await Promise.all(measurement.contributions.map(labelled));
      measured.push({ messageId, eventId: event.id, measurement: { ...measurement, contributions } });
    } catch (error) {
      logger.warn('measure event to be delivered again', { messageId, error: error as Error });
      failed.push(messageId);
    }
  }
  if (measured.length === 0) return failed;
  let tree: Awaited<ReturnType<typeof departmentTree>>;
  try {
    tree = await departmentTree();
    if (measured.some(({ measurement }) => measurement.contributions.some((c) => c.departmentId && !tree.has(c.departmentId)))) tree = await departmentTree({ fresh: true });
  } catch (error) {
    logger.warn('measure events to be delivered again', { error: error as Error });
    return [...failed, ...measured.map((m) => m.messageId)];
  }
  const linesOf = (id: string) => lineOf(id, tree);
  if (measured.length > 1 && await recordMeasurementsTogether(measured.map((m) => m.measurement), linesOf, now)) {
    logger.info('measured together', { events: measured.map(({ messageId, eventId, measurement }) => ({ messageId, eventId, eventKey: measurement.eventKey })) });
    return failed;
  }
  for (const { messageId, eventId, measurement } of measured) {
    try {
      const counted = await recordMeasurement(measurement, linesOf, now);
      logger.info('measured', { messageId, eventId, eventKey: measurement.eventKey, counted });
    } catch (error) {
      logger.warn('measure event to be delivered again', { messageId, error: error as Error });
      failed.push(messageId);
    }
  }
  return failed;
});
