import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { recordKey } from '../../schemas/keys';
import type { Reference } from '../../schemas/references';
import { covers, scopeOf } from './access';
import { invalid, type DomainError } from './errors';
import type { Principal } from './principal';
import { documentClient, tableName } from './table';
import type { GuardedWrite } from './transact';

/*
 * A write may name only records its author may read (the read rule of GET, access.ts). A record that
 * does not exist, is deleted, or is not the author's to read is refused in the same words, so that a
 * write cannot tell whether an id it may not read exists.
 */

const refusal = (ref: Reference) => ({ field: `body.${ref.field}`, message: `names no ${ref.type.toLowerCase()} you may read (${ref.id})` });
const refused = (refs: Reference[]): DomainError =>
  invalid(`the body names ${refs.length === 1 ? 'a record' : 'records'} it may not`, refs.map(refusal));

/**
 * Throws the 400 naming every reference the principal may not follow. Only references to types the
 * principal may not read whole are read here; whether each exists and is live is the write's own
 * condition (referenceGuards), checked in its transaction.
 */
export async function assertReadableReferences(principal: Principal, refs: Reference[]): Promise<void> {
  const scoped = refs.filter((ref) => scopeOf(principal, ref.type, 'read') !== 'all');
  const keys = [...new Set(scoped.map((ref) => `${ref.type}#${ref.id}`))];
  const items = new Map(await Promise.all(keys.map(async (key) => {
    const [type, id] = [key.slice(0, key.indexOf('#')), key.slice(key.indexOf('#') + 1)];
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey(type, id), ConsistentRead: true }));
    return [key, Item] as const;
  })));
  const unreadable = scoped.filter((ref) => {
    const item = items.get(`${ref.type}#${ref.id}`);
    return !item || item.deletedAt !== undefined || !covers(scopeOf(principal, ref.type, 'read'), principal, item);
  });
  if (unreadable.length > 0) throw refused(unreadable);
}

/** A condition of the write's transaction per record referenced (a transaction names an item once): it exists and is live. */
export function referenceGuards(refs: Reference[]): GuardedWrite[] {
  const once = [...new Map(refs.map((ref) => [`${ref.type}#${ref.id}`, ref])).values()];
  return once.map((ref) => ({
    item: {
      ConditionCheck: {
        TableName: tableName(),
        Key: recordKey(ref.type, ref.id),
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt)',
      },
    },
    whenConditionFails: refused([ref]),
  }));
}
