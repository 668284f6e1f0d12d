import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { indexKeysFor, itemFor, recordKey, slaPolicyKey, SLA_POLICY_PK } from '../../schemas/keys';
import { Activities, Departments, Users } from '../../schemas/records';
import { Tickets, type SlaPolicyRecord, type TicketRecord } from '../../schemas/tickets/records';
import { conflict, notFound, type DomainError } from '../platform/errors';
import { DEFAULT_FORMATS, readerOf, type Reader } from '../platform/mail-content';
import { documentClient, tableName } from '../platform/table';
import type { GuardedWrite } from '../platform/transact';
import { toRecord } from '../records';
import type { TreeDepartment } from '../rules/department-tree';

/*
 * Reading and writing the tickets domain's items: the ticket record (with the workflow's bookkeeping
 * beside it: the wait's task token, the signals that wake it, the SLA run's claim), the teams' SLA
 * policies, and the directory the escalations walk.
 */

type Item = Record<string, unknown>;
const TYPE = Tickets.type;

/** What the ticket item keeps that no client needs to see. */
const HIDDEN = ['taskToken', 'tokenSignals', 'signals', 'slaRun'];

/** A ticket as clients see it: without keys and workflow bookkeeping. */
export function ticketView(item: Item): TicketRecord {
  const record = toRecord(item);
  for (const field of HIDDEN) delete record[field];
  return record as TicketRecord;
}

export interface StoredTicket {
  ticket: TicketRecord;
  signals: number;
}

/** The ticket (deleted ones are not found), read consistently. */
export async function readTicket(id: string): Promise<StoredTicket> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey(TYPE, id), ConsistentRead: true }));
  if (!Item || Item.deletedAt) throw notFound(`no ticket ${id}`);
  return { ticket: ticketView(Item), signals: Number(Item.signals ?? 0) };
}

export async function readItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
  return (await documentClient.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
}

/** A new ticket's item, once. */
export function ticketCreate(ticket: TicketRecord): GuardedWrite {
  return {
    item: { Put: { TableName: tableName(), Item: { ...itemFor(TYPE, ticket), signals: 0 }, ConditionExpression: 'attribute_not_exists(pk)' } },
    whenConditionFails: conflict(`ticket ${ticket.id} exists`),
  };
}

/** Fields a ticket may lose on a change (a stopped clock has no due time). */
const REMOVABLE = ['dueAt', 'firstResponseDueAt', 'resolutionDueAt', 'firstRespondedAt', 'resolvedAt', 'closedAt', 'contactId', 'contactEmail', 'description'];

/**
 * A ticket changed at the version it was read: every field and index key set again (its index keys
 * follow its status, owner and due time), the wait's token left alone. `signal`: the change must wake
 * the ticket's SLA workflow (an agent's action); the workflow's own writes do not.
 */
export function ticketChange(next: TicketRecord, readVersion: number, options: { signal: boolean; whenConditionFails?: DomainError }): GuardedWrite {
  const fields: Item = { ...next, ...indexKeysFor(TYPE, { ...next, recordType: TYPE }) };
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':read': readVersion };
  const sets: string[] = [];
  Object.entries(fields).forEach(([field, value], i) => {
    if (value === undefined) return;
    names[`#f${i}`] = field;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  });
  const removes = REMOVABLE.filter((field) => next[field as keyof TicketRecord] === undefined).map((field, i) => {
    names[`#r${i}`] = field;
    return `#r${i}`;
  });
  if (options.signal) {
    names['#signals'] = 'signals';
    values[':one'] = 1;
  }
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: recordKey(TYPE, next.id),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}${options.signal ? ' ADD #signals :one' : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(deletedAt) AND #version = :read',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    whenConditionFails: options.whenConditionFails ?? conflict(`ticket ${next.id} was changed since version ${readVersion}; read it again and reapply your change`),
  };
}

/** A line on the account's timeline, owned as the account is so that everyone who reads the account reads it. */
export function timelineEntry(ticket: TicketRecord, account: Item, what: string, now: string, body?: string): GuardedWrite {
  const id = `ticket-${ticket.id}-${ticket.cycle}-${what.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const activity = {
    id, version: 1, createdAt: now, updatedAt: now,
    ownerId: String(account.ownerId), departmentId: String(account.departmentId),
    type: 'ticket', subject: `Ticket ${what}: ${ticket.subject}`.slice(0, 200), occurredAt: now, accountId: ticket.accountId,
    ...(ticket.contactId ? { contactId: ticket.contactId } : {}),
    ...(body ? { body } : {}),
    ticketId: ticket.id,
  };
  return {
    item: { Put: { TableName: tableName(), Item: itemFor(Activities.type, activity), ConditionExpression: 'attribute_not_exists(pk)' } },
    whenConditionFails: conflict(`the timeline has this already (${id})`),
  };
}

/** The team's SLA policy, or undefined. */
export async function readSlaPolicy(teamId: string): Promise<SlaPolicyRecord | undefined> {
  const item = await readItem(slaPolicyKey(teamId));
  return item ? (stripKeys(item) as SlaPolicyRecord) : undefined;
}

const stripKeys = (item: Item) => Object.fromEntries(Object.entries(item).filter(([k]) => k !== 'pk' && k !== 'sk'));

/** Every team's SLA policy (one Query; a tenant has a handful of teams). */
export async function listSlaPolicies(): Promise<SlaPolicyRecord[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await documentClient.send(new QueryCommand({
      TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': SLA_POLICY_PK }, ExclusiveStartKey: start,
    }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.map((item) => stripKeys(item) as SlaPolicyRecord);
}

/** The team that receives tickets which name none (the call centre's). */
export async function intakePolicy(): Promise<SlaPolicyRecord | undefined> {
  return (await listSlaPolicies()).find((policy) => policy.intake);
}

/** A department of the tree (GetItem), as the managers walk reads it. */
export async function readDepartment(id: string): Promise<TreeDepartment | undefined> {
  const item = await readItem(recordKey(Departments.type, id));
  if (!item || item.deletedAt) return undefined;
  return {
    id,
    ...(typeof item.parentId === 'string' ? { parentId: item.parentId } : {}),
    ...(typeof item.managerUserId === 'string' ? { managerUserId: item.managerUserId } : {}),
  };
}

/** The departments from `from` to the top, read one by one (a tree is a few levels deep). */
export async function departmentsUpFrom(from: string): Promise<Map<string, TreeDepartment>> {
  const tree = new Map<string, TreeDepartment>();
  let id: string | undefined = from;
  while (id !== undefined && !tree.has(id) && tree.size < 64) {
    const department = await readDepartment(id);
    if (!department) break;
    tree.set(id, department);
    id = department.parentId;
  }
  return tree;
}

/** A user as mail addresses them; an unknown user is named by id and gets no mail (no address). */
export async function contactOf(userId: string): Promise<Reader> {
  return readerOf(userId, await readItem(recordKey(Users.type, userId))) ?? { email: '', name: userId, ...DEFAULT_FORMATS };
}
