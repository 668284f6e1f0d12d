import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { measureBucket, measuredEventKey, measureKey, measurePk, measureRange, type MeasureBucket } from '../../schemas/keys';
import type { MeasureTile } from '../../schemas/measures/tiles';
import { conflict } from '../platform/errors';
import { documentClient, tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import type { Contribution, Increments, Measurement } from './measure-rules';

type Item = Record<string, unknown>;

/**
 * Whose figures a contribution adds to: its owner's, its department's own, and the tree of that
 * department and of every department above it, so that a manager's tree is one partition to read.
 */
export function bucketsOf(contribution: Pick<Contribution, 'ownerId' | 'departmentId'>, departmentLine: readonly string[]): MeasureBucket[] {
  return [
    ...(contribution.ownerId ? [measureBucket.owner(contribution.ownerId)] : []),
    ...(contribution.departmentId ? [measureBucket.department(contribution.departmentId)] : []),
    ...departmentLine.map(measureBucket.tree),
  ];
}

interface AggregateUpdate {
  key: { pk: string; sk: string };
  tile: MeasureTile;
  period: string;
  dimension: string;
  label?: string;
  add: Increments;
}

/** The updates of a measurement, one per aggregate item (a transaction may touch an item once). */
export function aggregateUpdates(measurement: Measurement, linesOf: (departmentId: string) => readonly string[]): AggregateUpdate[] {
  const byKey = new Map<string, AggregateUpdate>();
  for (const c of measurement.contributions) {
    for (const bucket of bucketsOf(c, c.departmentId ? linesOf(c.departmentId) : [])) {
      const key = measureKey(bucket, c.tile, c.period, c.dimension);
      const id = `${key.pk} ${key.sk}`;
      const known = byKey.get(id);
      if (!known) {
        byKey.set(id, { key, tile: c.tile, period: c.period, dimension: c.dimension, ...(c.label ? { label: c.label } : {}), add: { ...c.add } });
        continue;
      }
      for (const [field, value] of Object.entries(c.add)) known.add[field] = (known.add[field] ?? 0) + value;
      if (c.label && !known.label) known.label = c.label;
    }
  }
  return [...byKey.values()].map((u) => ({ ...u, add: Object.fromEntries(Object.entries(u.add).filter(([, v]) => v !== 0)) }));
}

const ALREADY_COUNTED = conflict('already counted');

function updateItem(update: AggregateUpdate, now: string): GuardedWrite {
  const fields = Object.entries(update.add);
  const names: Record<string, string> = { '#tile': 'tile', '#period': 'period', '#dimension': 'dimension', '#at': 'updatedAt' };
  const values: Record<string, unknown> = { ':tile': update.tile, ':period': update.period, ':dimension': update.dimension, ':at': now };
  fields.forEach(([field, value], i) => {
    names[`#f${i}`] = field;
    values[`:v${i}`] = value;
  });
  if (update.label) {
    names['#label'] = 'label';
    values[':label'] = update.label;
  }
  const set = `SET #tile = :tile, #period = :period, #dimension = :dimension, #at = :at${update.label ? ', #label = :label' : ''}`;
  const add = fields.length ? ` ADD ${fields.map((_, i) => `#f${i} :v${i}`).join(', ')}` : '';
  return {
    item: { Update: { TableName: tableName(), Key: update.key, UpdateExpression: `${set}${add}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } },
    whenConditionFails: ALREADY_COUNTED,
  };
}

/**
 * Adds a measurement to its aggregates and marks its event counted, in one transaction that holds only
 * while the mark is absent: a redelivered event (or a second first response) changes nothing.
 * Returns whether it counted.
 */
export async function recordMeasurement(measurement: Measurement, linesOf: (departmentId: string) => readonly string[], now: string): Promise<boolean> {
  try {
    await writeAllOrNothing([markOf(measurement, now), ...aggregateUpdates(measurement, linesOf).map((u) => updateItem(u, now))]);
    return true;
  } catch (error) {
    if (error === ALREADY_COUNTED) return false;
    throw error;
  }
}

function markOf(measurement: Measurement, now: string): GuardedWrite {
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: { ...measuredEventKey(measurement.eventKey), countedAt: now, ...measurement.keep },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    whenConditionFails: ALREADY_COUNTED,
  };
}

/** A transaction's limit on the items it writes. */
const MAX_TRANSACTION_ITEMS = 100;

/**
 * A batch's measurements in one transaction: every event's mark and the sums of their additions (a launch's
 * new leads of one owner add to the same few aggregates). Resolves false, having written nothing, when
 * that cannot be: an event of the batch was counted before (a redelivery), two name one event, the
 * aggregates were being changed by another transaction, or it would pass the transaction's limit. The
 * caller then records them one by one (recordMeasurement), which says which of them counted.
 */
export async function recordMeasurementsTogether(measurements: Measurement[], linesOf: (departmentId: string) => readonly string[], now: string): Promise<boolean> {
  if (new Set(measurements.map((m) => m.eventKey)).size < measurements.length) return false;
  const summed = aggregateUpdates({ eventKey: 'batch', contributions: measurements.flatMap((m) => m.contributions) }, linesOf);
  if (measurements.length + summed.length > MAX_TRANSACTION_ITEMS) return false;
  const writes = [...measurements.map((m) => markOf(m, now)), ...summed.map((u) => updateItem(u, now))];
  // concurrent batches of one launch add to the same aggregates: a conflict is tried again, a counted event is not
  for (let attempt = 1; ; attempt++) {
    try {
      await writeAllOrNothing(writes);
      return true;
    } catch (error) {
      if (error === ALREADY_COUNTED || attempt === CONFLICT_ATTEMPTS) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
    }
  }
}

const CONFLICT_ATTEMPTS = 4;

/** What an event's mark kept (an order's time), or nothing when it was not counted. */
export async function readMark(eventKey: string): Promise<Item | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: measuredEventKey(eventKey) }));
  return Item;
}

/**
 * A tile's aggregates of one bucket over the months from..to: one Query (its pages, for a range whose
 * rows pass 1 MB: years of a large department's accounts).
 */
export async function readTile(bucket: MeasureBucket, tile: MeasureTile, from: string, to: string): Promise<Item[]> {
  const range = measureRange(from, to);
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': measurePk(bucket, tile), ':from': range.from, ':to': range.to },
      ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
