import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RecordDefinition } from '../../schemas/records';
import { LISTING_ATTRIBUTES, itemFor, recordKey, uniqueValueKey } from '../../schemas/keys';
import { referencesIn } from '../../schemas/references';
import { assertCan } from '../platform/access';
import { conflict, invalidField, notFound, type DomainError } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { assertReadableReferences, referenceGuards } from '../platform/references';
import { deriveFields } from './record-rules';
import { documentClient, tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { parseInput } from '../platform/validation';

type Item = Record<string, unknown>;

const KEY_ATTRIBUTES = ['pk', 'sk', 'recordType', ...LISTING_ATTRIBUTES];

/** A stored item as the API shows it: without its table keys. */
export function toRecord(item: Item): Item {
  const record = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete record[attribute];
  return record;
}


const label = (def: RecordDefinition) => def.type.toLowerCase();

/** Reads one record by id, live or deleted: one GetItem. */
async function readItem(def: RecordDefinition, id: string): Promise<Item | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName(), Key: recordKey(def.type, id), ConsistentRead: true }),
  );
  return Item;
}

async function readLive(def: RecordDefinition, id: string): Promise<Item> {
  const item = await readItem(def, id);
  if (!item) throw notFound(`no ${label(def)} ${id}`);
  if (item.deletedAt) throw notFound(`${label(def)} ${id} was deleted at ${String(item.deletedAt)}`);
  return item;
}

/**
 * The references a write sets (on create all, on change those of changed fields): each must name a
 * record the caller may read, not the record itself, and stay live until the write is done.
 */
async function referencesChecked(def: RecordDefinition, principal: Principal, record: Item, changed: (field: string) => boolean): Promise<GuardedWrite[]> {
  const refs = referencesIn(def.record, record).filter((ref) => changed(ref.field.split('.')[0]!));
  const self = refs.find((ref) => ref.type === def.type && ref.id === record.id);
  if (self) throw invalidField(`body.${self.field}`, `cannot name the ${label(def)} itself`);
  await assertReadableReferences(principal, refs);
  return referenceGuards(refs);
}

/** Claims (and on change, frees) each unique value, so two live records never share one. */
function uniqueValueWrites(def: RecordDefinition, previous: Item | undefined, next: Item | undefined): GuardedWrite[] {
  return def.unique.flatMap((field): GuardedWrite[] => {
    const before = previous?.[field] as string | undefined;
    const after = next?.[field] as string | undefined;
    if (before?.toLowerCase() === after?.toLowerCase()) return [];
    const owner = `${def.type}#${String((next ?? previous)?.id)}`;
    const writes: GuardedWrite[] = [];
    if (before) {
      writes.push({
        item: { Delete: { TableName: tableName(), Key: uniqueValueKey(def.type, field, before) } },
        whenConditionFails: conflict(`${field} ${before} could not be released`),
      });
    }
    if (after) {
      writes.push({
        item: {
          Put: {
            TableName: tableName(),
            Item: { ...uniqueValueKey(def.type, field, after), owner },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        whenConditionFails: conflict(`${field} ${after} is already used by another ${label(def)}`),
      });
    }
    return writes;
  });
}

function validated(def: RecordDefinition, record: Item): Item {
  // the merged record is checked whole, so an update can never leave a record that breaks its schema
  return parseInput(def.record, record, 'body');
}

export async function createRecord(def: RecordDefinition, principal: Principal, body: unknown, now: string): Promise<Item> {
  const input = parseInput(def.create, body, 'body');
  const ownership = def.owned ? { ownerId: principal.userId, departmentId: principal.departmentId } : {};
  const id = randomUUID();
  const record = validated(def, deriveFields(def.type, undefined, {
    ...ownership, ...input, id, version: 1, createdAt: now, updatedAt: now,
  }, now));
  assertCan(principal, 'write', def.type, record);
  const references = await referencesChecked(def, principal, record, () => true);
  await writeAllOrNothing([
    {
      item: { Put: { TableName: tableName(), Item: itemFor(def.type, record), ConditionExpression: 'attribute_not_exists(pk)' } },
      whenConditionFails: conflict(`${label(def)} ${id} already exists`),
    },
    ...uniqueValueWrites(def, undefined, record),
    ...references,
  ]);
  return record;
}

export async function getRecord(def: RecordDefinition, principal: Principal, id: string): Promise<Item> {
  const item = await readLive(def, id);
  assertCan(principal, 'read', def.type, item, id);
  return toRecord(item);
}

const staleVersion = (def: RecordDefinition, id: string, sent: number): DomainError =>
  conflict(`${label(def)} ${id} was changed or deleted since version ${sent}; read it again and reapply your change`);

export async function updateRecord(def: RecordDefinition, principal: Principal, id: string, body: unknown, now: string): Promise<Item> {
  const { version, ...changes } = parseInput(def.update, body, 'body');
  const current = toRecord(await readLive(def, id));
  assertCan(principal, 'write', def.type, current, id);
  if (current.version !== version) throw staleVersion(def, id, version);
  const next = validated(def, deriveFields(def.type, current, {
    ...current, ...changes, id, version: version + 1, createdAt: current.createdAt, updatedAt: now,
  }, now));
  // the change must also stay within what the caller may write (no handing a record to another team)
  assertCan(principal, 'write', def.type, next, id);
  const references = await referencesChecked(def, principal, next, (field) => JSON.stringify(next[field]) !== JSON.stringify(current[field]));
  await writeAllOrNothing([
    {
      item: {
        Put: {
          TableName: tableName(),
          Item: itemFor(def.type, next),
          ConditionExpression: 'version = :version AND attribute_not_exists(deletedAt)',
          ExpressionAttributeValues: { ':version': version },
        },
      },
      whenConditionFails: staleVersion(def, id, version),
    },
    ...uniqueValueWrites(def, current, next),
    ...references,
  ]);
  return next;
}

/** Soft delete: the record stays readable by key for the workflows that reference it, but leaves every list. */
export async function deleteRecord(def: RecordDefinition, principal: Principal, id: string, version: number, now: string): Promise<Item> {
  const current = toRecord(await readLive(def, id));
  assertCan(principal, 'write', def.type, current, id);
  if (current.version !== version) throw staleVersion(def, id, version);
  const deleted = { ...current, version: version + 1, updatedAt: now, deletedAt: now };
  const item = { ...deleted, recordType: def.type, ...recordKey(def.type, id) };
  await writeAllOrNothing([
    {
      item: {
        Put: {
          TableName: tableName(),
          Item: item,
          ConditionExpression: 'version = :version AND attribute_not_exists(deletedAt)',
          ExpressionAttributeValues: { ':version': version },
        },
      },
      whenConditionFails: staleVersion(def, id, version),
    },
    ...uniqueValueWrites(def, current, undefined),
  ]);
  return deleted;
}
