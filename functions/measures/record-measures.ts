import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { OrderPlaced, PaymentReceived, RecordChanged } from '../../schemas/events';
import { recordKey, uniqueValueKey } from '../../schemas/keys';
import type * as z from '../../schemas/zod';
import { logger } from '../platform/observability';
import { documentClient, tableName } from '../platform/table';
import { isEvent, queuedEventsHandler, type QueuedEvent } from '../platform/task-handler';
import { departmentTree, lineOf } from './departments';
import {
  leadMeasurement, opportunityMeasurement, orderEventKey, orderMeasurement, paymentMeasurement, promotionMeasurement,
  respondedTo, responseMeasurement, type Contribution, type MeasuredAccount, type Measurement,
} from './measure-rules';
import { readMark, recordMeasurement } from './measure-store';

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

/** What an event measures, with the records it needs read; nothing for an event no measure counts. */
async function measurementOf(event: QueuedEvent<(typeof MEASURED_EVENTS)[number]>['event']): Promise<Measurement | undefined> {
  if (isEvent(event, RecordChanged)) return RECORD_MEASURES[event.detail.recordType]?.(event.detail);
  if (isEvent(event, OrderPlaced)) {
    const account = await accountByCode(event.detail.accountCode);
    return account && orderMeasurement(event.detail, account);
  }
  if (isEvent(event, PaymentReceived)) {
    const account = await accountByCode(event.detail.accountCode);
    if (!account) return undefined;
    const order = event.detail.orderId ? await readMark(orderEventKey(event.detail.orderId)) : undefined;
    return paymentMeasurement(event.detail, account, str(order?.placedAt));
  }
  return undefined;
}

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

export const MEASURED_EVENTS = [RecordChanged, OrderPlaced, PaymentReceived] as const;

/**
 * The measures' consumer, fed in batches by its queue: each event's measurement is added to the
 * aggregates of its owner, its department and every department above it, once (see recordMeasurement).
 * A message whose work failed goes back to the queue alone.
 */
export const handler = queuedEventsHandler(MEASURED_EVENTS, async (batch, now) => {
  const failed: string[] = [];
  for (const { messageId, event } of batch) {
    try {
      const measurement = await measurementOf(event);
      if (!measurement) continue;
      const contributions = await Promise.all(measurement.contributions.map(labelled));
      let tree = await departmentTree();
      if (contributions.some((c) => c.departmentId && !tree.has(c.departmentId))) tree = await departmentTree({ fresh: true });
      const counted = await recordMeasurement({ ...measurement, contributions }, (id) => lineOf(id, tree), now);
      logger.info('measured', { messageId, eventId: event.id, eventKey: measurement.eventKey, counted });
    } catch (error) {
      logger.warn('measure event to be delivered again', { messageId, error: error as Error });
      failed.push(messageId);
    }
  }
  return failed;
});
