import { listPk, recordKey } from '../../schemas/keys';
import type { DomainError } from './errors';
import { tableName } from './table';
import type { GuardedWrite } from './transact';

/**
 * One UpdateItem on a record, for changes the server makes (workflow steps, balances): it bumps the
 * version and updatedAt, moves the record in the byStatus index when its status changes, sets and
 * increments (nested) fields, and holds a condition. Paths are dotted (`money.reservedMinor`).
 */
export interface RecordUpdate {
  type: string;
  id: string;
  now: string;
  status?: string;
  set?: Record<string, unknown>;
  /** field -> delta (negative to decrease) */
  inc?: Record<string, number>;
  remove?: string[];
  /** over the names given in `names` (use #status for status) and values in `values` */
  condition: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  whenConditionFails: DomainError;
}

export function recordUpdate(update: RecordUpdate): GuardedWrite {
  const names: Record<string, string> = { '#status': 'status', '#version': 'version', '#updatedAt': 'updatedAt', ...update.names };
  const values: Record<string, unknown> = { ':one': 1, ':now': update.now, ...update.values };
  let n = 0;
  const path = (dotted: string) => dotted.split('.').map((segment) => {
    const name = `#p${n++}`;
    names[name] = segment;
    return name;
  }).join('.');
  const sets = ['#version = #version + :one', '#updatedAt = :now'];
  if (update.status) {
    values[':toStatus'] = update.status;
    values[':statusPk'] = listPk.byStatus(update.type, update.status);
    names['#statusPk'] = 'byStatusPk';
    sets.push('#status = :toStatus', '#statusPk = :statusPk');
  }
  for (const [field, value] of Object.entries(update.set ?? {})) {
    const v = `:s${n}`;
    values[v] = value;
    sets.push(`${path(field)} = ${v}`);
  }
  for (const [field, delta] of Object.entries(update.inc ?? {})) {
    const v = `:i${n}`;
    values[v] = delta;
    const p = path(field);
    sets.push(`${p} = ${p} + ${v}`);
  }
  const removes = (update.remove ?? []).map(path);
  const expression = `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`;
  const condition = `attribute_exists(pk) AND (${update.condition})`;
  // DynamoDB refuses names and values the expressions do not use
  const used = (token: string) => new RegExp(`${token}(?![A-Za-z0-9_])`).test(`${expression} ${condition}`);
  const pick = (all: Record<string, unknown>) => Object.fromEntries(Object.entries(all).filter(([k]) => used(k)));
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: recordKey(update.type, update.id),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: pick(names) as Record<string, string>,
        ExpressionAttributeValues: pick(values),
      },
    },
    whenConditionFails: update.whenConditionFails,
  };
}
