import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { RecordChanged } from '../../schemas/events';
import { ALL_INDEX_ATTRIBUTES } from '../../schemas/keys';

type Item = Record<string, unknown>;
type Detail = ReturnType<typeof RecordChanged.detail.parse>;

/** Attributes that change on every write or only locate the item: not a change a subscriber cares about. */
const BOOKKEEPING = new Set(['pk', 'sk', 'recordType', 'version', 'updatedAt', ...ALL_INDEX_ATTRIBUTES]);

const image = (value: Record<string, unknown> | undefined): Item | undefined =>
  value ? unmarshall(value as Record<string, AttributeValue>) : undefined;

function changedFields(before: Item | undefined, after: Item | undefined): string[] {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...fields]
    .filter((f) => !BOOKKEEPING.has(f) && JSON.stringify(before?.[f]) !== JSON.stringify(after?.[f]))
    .sort();
}

/** What a stream record says about a CRM record, or nothing when the item is not a record (receipts, keys). */
export function recordChangeOf(streamRecord: DynamoDBRecord): Detail | undefined {
  const before = image(streamRecord.dynamodb?.OldImage);
  const after = image(streamRecord.dynamodb?.NewImage);
  const current = after ?? before;
  if (!current || typeof current.recordType !== 'string' || typeof current.id !== 'string') return undefined;
  const change = streamRecord.eventName === 'INSERT' ? 'created'
    : streamRecord.eventName === 'REMOVE' || (after?.deletedAt && !before?.deletedAt) ? 'deleted'
    : 'updated';
  return {
    recordType: current.recordType,
    id: current.id,
    change,
    version: Number(current.version ?? 0),
    changedFields: changedFields(before, after),
    ...(typeof current.ownerId === 'string' ? { ownerId: current.ownerId } : {}),
    ...(typeof current.departmentId === 'string' ? { departmentId: current.departmentId } : {}),
  };
}
