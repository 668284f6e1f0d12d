import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { RecordFactsSchema, type RecordChanged, type RecordFacts } from '../../schemas/events';
import { LISTING_ATTRIBUTES } from '../../schemas/keys';
import * as z from '../../schemas/zod';

type Item = Record<string, unknown>;
type Detail = z.input<typeof RecordChanged.detail>;

/** What the publisher reads of a table-stream batch: each record's kind of change and its item's images (as DynamoDB JSON). */
const ImageSchema = z.optional(z.record(z.string(), z.unknown()));
export const StreamBatchSchema = z.object({
  Records: z.array(z.object({
    eventID: z.optional(z.string()),
    eventName: z.optional(z.enum(['INSERT', 'MODIFY', 'REMOVE'])),
    dynamodb: z.optional(z.object({ OldImage: ImageSchema, NewImage: ImageSchema })),
  })),
});
/** A stream record, as the schema reads it or as aws-lambda types it. */
export interface StreamRecord {
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  dynamodb?: { OldImage?: object; NewImage?: object };
}

/** Attributes that change on every write or only locate the item: not a change a subscriber cares about. */
const BOOKKEEPING = new Set(['pk', 'sk', 'recordType', 'version', 'updatedAt', 'changedBy', 'changedByVersion', ...LISTING_ATTRIBUTES]);

const image = (value: object | undefined): Item | undefined =>
  value ? unmarshall(value as Record<string, AttributeValue>) : undefined;

function changedFields(before: Item | undefined, after: Item | undefined): string[] {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...fields]
    .filter((f) => !BOOKKEEPING.has(f) && JSON.stringify(before?.[f]) !== JSON.stringify(after?.[f]))
    .sort();
}

const FACT_FIELDS = Object.keys(RecordFactsSchema.shape) as (keyof RecordFacts)[];

/** The facts measures read of an image (RecordFactsSchema); none when they do not hold to it, rather than no event. */
function factsOf(item: Item | undefined): RecordFacts | undefined {
  if (!item) return undefined;
  const name = typeof item.name === 'string' ? item.name
    : typeof item.firstName === 'string' ? `${item.firstName} ${typeof item.lastName === 'string' ? item.lastName : ''}`.trim() : undefined;
  const picked = Object.fromEntries(FACT_FIELDS.filter((f) => f !== 'name' && item[f] !== undefined).map((f) => [f, item[f]]));
  const parsed = RecordFactsSchema.safeParse({ ...picked, ...(name ? { name } : {}) });
  return parsed.success ? parsed.data : undefined;
}

/** What a stream record says about a CRM record, or nothing when the item is not a record (receipts, keys). */
export function recordChangeOf(streamRecord: StreamRecord): Detail | undefined {
  const before = image(streamRecord.dynamodb?.OldImage);
  const after = image(streamRecord.dynamodb?.NewImage);
  const current = after ?? before;
  const facts = factsOf(current);
  const previous = after ? factsOf(before) : undefined;
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
    // the writer's mark holds for the version it wrote, not for later writes by others that kept the attribute
    ...(typeof current.changedBy === 'string' && current.changedByVersion === current.version ? { changedBy: current.changedBy } : {}),
    ...(facts ? { facts } : {}),
    ...(previous ? { previous } : {}),
  };
}
