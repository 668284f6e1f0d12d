import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  HANDOVER_ITEM_KINDS, HandoverBodySchema, PREVIEW_ITEM_LIMIT, type HandoverBody, type HandoverItem, type HandoverOutcome,
} from '../../schemas/handover/handover';
import {
  HANDOVER_PAGE_SIZE, HANDOVER_SK, HANDOVER_TYPE, handoverIndexKeys, handoverKey, handoverPageKey, handoverPk, listPk, recordKey,
} from '../../schemas/keys';
import { Users } from '../../schemas/records';
import { referencesIn } from '../../schemas/references';
import { assertCan } from '../platform/access';
import { conflict, DomainError, forbidden, invalidField, notFound } from '../platform/errors';
import { workflowToStart } from '../platform/outbox';
import type { Principal } from '../platform/principal';
import { assertReadableReferences, referenceGuards } from '../platform/references';
import { requiredEnv } from '../platform/env';
import { documentClient, queryAll, tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { ALREADY_MARKED, HANDOVER_KINDS, type BookItem, type Receiver } from './handover-kinds';
import { updateRecord } from './record-store';
import { applySignIn } from './user-sign-in';

/*
 * Work handover (DOMAIN.md process 6): a leaver's book (handover-kinds.ts) goes to other users in one
 * request. POST /handovers writes the handover and, in the same transaction, the outbox's start of its
 * workflow (tradeflow-work-handover): Plan writes the book in pages, a Map moves page by page (each item's
 * conditional move in one transaction with its outcome mark, records up to 25 to a transaction), Finish
 * deactivates the leaver if asked. Every
 * step can run again after a crash: a planned book is not planned again, a marked item is not moved again.
 */

type Item = Record<string, unknown>;
type Starter = Pick<Principal, 'userId' | 'roles' | 'departmentId'>;

const mayHandOver = (principal: Principal) => principal.roles.some((role) => role === 'ops' || role === 'admin');

async function readUser(userId: string): Promise<Item | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: recordKey(Users.type, userId), ConsistentRead: true }));
  return Item && !Item.deletedAt ? Item : undefined;
}

const asReceiver = (user: Item): Receiver => ({ userId: String(user.id), departmentId: String(user.departmentId), roles: user.roles as Receiver['roles'] });

/** The body's people: the leaver exists; every receiver is an active user other than the leaver. 400 naming the field otherwise. */
async function checkedPeople(body: HandoverBody, principal: Principal) {
  if (!mayHandOver(principal)) throw forbidden('only ops and admin hand over work');
  await assertReadableReferences(principal, referencesIn(HandoverBodySchema, body));
  const leaver = await readUser(body.fromUserId);
  if (!leaver) throw invalidField('body.fromUserId', `names no user (${body.fromUserId})`);
  if (body.deactivate) assertCan(principal, 'write', Users.type, leaver, body.fromUserId);
  const receivers = new Map<string, Receiver>();
  const fields: [string, string][] = [['body.toUserId', body.toUserId], ...(body.split ?? []).map((s, i): [string, string] => [`body.split.${i}.toUserId`, s.toUserId])];
  for (const [field, userId] of fields) {
    if (userId === body.fromUserId) throw invalidField(field, 'is the user whose work is handed over');
    if (receivers.has(userId)) continue;
    const user = await readUser(userId);
    if (!user || user.status !== 'active') throw invalidField(field, `names no active user (${userId})`);
    receivers.set(userId, asReceiver(user));
  }
  return receivers;
}

/** Who gets a book item: the first split naming one of its accounts or its region (an account's, for its contacts and deals), else toUserId. */
export function receiverOf(item: BookItem, body: HandoverBody, accountRegions: Map<string, string>): string {
  const regions = item.region ? [item.region] : item.accountIds.flatMap((id) => accountRegions.get(id) ?? []);
  const split = (body.split ?? []).find((s) => item.accountIds.some((id) => s.accountIds?.includes(id)) || regions.some((r) => s.regions?.includes(r)));
  return split?.toUserId ?? body.toUserId;
}

/** The whole book, each item with its receiver and, when it cannot move, why. */
async function planBook(body: HandoverBody, startedBy: Principal, receivers: Map<string, Receiver>, now: string): Promise<HandoverItem[]> {
  const found = (await Promise.all(HANDOVER_ITEM_KINDS.map((kind) => HANDOVER_KINDS[kind].find(body.fromUserId, startedBy)))).flat();
  const accountRegions = new Map(found.filter((i) => i.kind === 'account' && i.region).map((i) => [i.id, i.region!]));
  const refusals = new Map<string, Promise<string | undefined>>();
  return Promise.all(found.map(async (item): Promise<HandoverItem> => {
    const toUserId = receiverOf(item, body, accountRegions);
    const kind = HANDOVER_KINDS[item.kind];
    // a record kind refuses by receiver (and the department the item stays in); an approval task by its request
    const cacheKey = item.kind === 'approval-task' ? `${item.kind}/${item.id}/${toUserId}` : `${item.kind}/${item.departmentId ?? ''}/${toUserId}`;
    const planned: HandoverItem = { kind: item.kind, id: item.id, label: item.label, toUserId, ...(item.departmentId ? { departmentId: item.departmentId } : {}) };
    const refusal = item.blocked ?? await (refusals.get(cacheKey) ?? refusals.set(cacheKey, kind.refusal(planned, receivers.get(toUserId)!, startedBy, now)).get(cacheKey)!);
    return refusal ? { ...planned, blocked: refusal } : planned;
  }));
}

const countsOf = (items: HandoverItem[]) => {
  const counts: Record<string, { move: number; cannotMove: number }> = {};
  for (const item of items) {
    const count = counts[item.kind] ??= { move: 0, cannotMove: 0 };
    if (item.blocked) count.cannotMove++;
    else count.move++;
  }
  return counts;
};

/** POST /handovers/preview: what would move to whom, counts per kind, and what cannot move and why; nothing is written. */
export async function previewHandover(body: HandoverBody, principal: Principal, now: string) {
  const receivers = await checkedPeople(body, principal);
  const items = await planBook(body, principal, receivers, now);
  return {
    fromUserId: body.fromUserId, total: items.length, counts: countsOf(items),
    items: items.slice(0, PREVIEW_ITEM_LIMIT), truncated: items.length > PREVIEW_ITEM_LIMIT,
    cannotMove: items.filter((i) => i.blocked),
  };
}

/** POST /handovers: the handover and its workflow's start, one transaction (the outbox starts it). */
export async function startHandover(body: HandoverBody, principal: Principal, now: string) {
  await checkedPeople(body, principal);
  const id = randomUUID();
  const starter: Starter = { userId: principal.userId, roles: principal.roles, departmentId: principal.departmentId };
  const record = {
    id, fromUserId: body.fromUserId, toUserId: body.toUserId, split: body.split ?? [], deactivate: body.deactivate ?? false,
    status: 'started', startedBy: principal.userId, startedAt: now,
  };
  await writeAllOrNothing([
    {
      item: { Put: { TableName: tableName(), Item: { ...handoverKey(id), ...handoverIndexKeys(id, now), recordType: HANDOVER_TYPE, ...record, starter }, ConditionExpression: 'attribute_not_exists(pk)' } },
      whenConditionFails: conflict(`handover ${id} exists`),
    },
    // the people it names are still there when it is written (a split's accounts need not be: one gone matches nothing)
    ...referenceGuards(referencesIn(HandoverBodySchema, body).filter((ref) => ref.type === Users.type)),
    workflowToStart(`handover-start#${id}`, { stateMachineArn: requiredEnv('HANDOVER_STATE_MACHINE_ARN'), name: `handover-${id}`, input: { handoverId: id } }, now),
  ]);
  return { ...record, ...emptyProgress(), notMoved: [] };
}

const emptyProgress = () => ({ progress: { total: 0, moved: 0, notMoved: 0, pages: 0, byKind: {} } });

async function readHandover(handoverId: string): Promise<Item | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: handoverKey(handoverId), ConsistentRead: true }));
  return Item;
}

/** A page's counters, per kind: `total:<kind>` (written by the plan), `moved:<kind>`, `not-moved:<kind>` (added with each mark). */
const counterName = (outcome: 'total' | HandoverOutcome['outcome'], kind: string) => `${outcome}:${kind}`;
const COUNTERS = HANDOVER_ITEM_KINDS.flatMap((kind) => (['total', 'moved', 'not-moved'] as const).map((outcome) => counterName(outcome, kind)));

/** The pages' counters only (a few bytes each, however big the book), so progress is cheap to follow. */
function readPageCounters(handoverId: string): Promise<Item[]> {
  const names = Object.fromEntries(['sk', 'moved', 'notMoved', ...COUNTERS].map((name, i) => [`#c${i}`, name]));
  return queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(#c0, :page)', ConsistentRead: true,
    ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':pk': handoverPk(handoverId), ':page': HANDOVER_SK.pagePrefix },
  });
}

/** Ops and admin read every handover; the people it names read theirs; to anyone else it does not exist. */
async function readableHandover(handoverId: string, principal: Principal): Promise<Item> {
  const handover = await readHandover(handoverId);
  const named = handover && [handover.fromUserId, handover.toUserId, ...(handover.split as { toUserId: string }[]).map((s) => s.toUserId)].includes(principal.userId);
  if (!handover || !(mayHandOver(principal) || named)) throw notFound(`no handover ${handoverId}`);
  return handover;
}

const viewOf = (handover: Item) => {
  const { pk: _pk, sk: _sk, byTypePk: _tpk, byTypeSk: _tsk, recordType: _type, starter: _starter, total: _total, pages: _pages, ...view } = handover;
  return view;
};

const pageItems = (page: Item) => page.items as HandoverItem[];
const outcomeOf = (page: Item, index: number) => (page.outcomes as Record<string, HandoverOutcome>)[`i${index}`];

/** GET /handovers/{id}: the handover, its progress per kind, and every item that could not move with why. */
export async function getHandover(handoverId: string, principal: Principal) {
  const handover = await readableHandover(handoverId, principal);
  // a plan cut short by a crash and made again may have left pages past the kept plan's last
  const pages = (await readPageCounters(handoverId)).filter((p) => Number(String(p.sk).slice(HANDOVER_SK.pagePrefix.length)) < Number(handover.pages ?? 0));
  const sum = (field: string) => pages.reduce((n, p) => n + Number(p[field] ?? 0), 0);
  const byKind: Record<string, { total: number; moved: number; notMoved: number }> = {};
  for (const kind of HANDOVER_ITEM_KINDS) {
    const total = sum(counterName('total', kind));
    if (total > 0) byKind[kind] = { total, moved: sum(counterName('moved', kind)), notMoved: sum(counterName('not-moved', kind)) };
  }
  // only the pages with items that could not move are read whole, for the items and why
  const notMoved: (HandoverItem & { reason: string })[] = [];
  for (const counters of pages.filter((p) => Number(p.notMoved ?? 0) > 0)) {
    const { Item: page } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: { pk: handoverPk(handoverId), sk: counters.sk }, ConsistentRead: true }));
    pageItems(page!).forEach((item, index) => {
      const outcome = outcomeOf(page!, index);
      if (outcome?.outcome === 'not-moved') notMoved.push({ ...item, reason: outcome.reason ?? '' });
    });
  }
  return {
    ...viewOf(handover), notMoved,
    progress: { total: Number(handover.total ?? 0), moved: sum('moved'), notMoved: sum('notMoved'), pages: Number(handover.pages ?? 0), byKind },
  };
}

/** GET /handovers/{id}/items: one page of the book with each item's outcome; the cursor is the next page's number. */
export async function getHandoverItems(handoverId: string, principal: Principal, cursor: string | undefined) {
  const handover = await readableHandover(handoverId, principal);
  const number = cursor === undefined ? 0 : Number(cursor);
  if (!Number.isInteger(number) || number < 0) throw invalidField('query.cursor', 'is not a cursor of this list');
  const { Item: page } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: handoverPageKey(handoverId, number), ConsistentRead: true }));
  const items = page ? pageItems(page).map((item, index) => ({ ...item, ...(outcomeOf(page, index) ? { outcome: outcomeOf(page, index) } : {}) })) : [];
  return { items, ...(number + 1 < Number(handover.pages ?? 0) ? { nextCursor: String(number + 1) } : {}) };
}

/** GET /handovers: the newest handovers (ops and admin). */
export async function listHandovers(principal: Principal) {
  if (!mayHandOver(principal)) throw forbidden('only ops and admin list handovers');
  const { Items = [] } = await documentClient.send(new QueryCommand({
    TableName: tableName(), IndexName: 'byType', KeyConditionExpression: 'byTypePk = :pk',
    ExpressionAttributeValues: { ':pk': listPk.byType(HANDOVER_TYPE) }, ScanIndexForward: false, Limit: 50,
  }));
  return { items: Items.map((item) => ({ ...viewOf(item), ...emptyProgress(), notMoved: [] })) };
}

// The workflow's steps

async function workflowHandover(handoverId: string) {
  const handover = await readHandover(handoverId);
  if (!handover) throw new Error(`no handover ${handoverId}`);
  return { handover, starter: handover.starter as Principal, body: handover as unknown as HandoverBody };
}

/** Plan: the book in pages, once; a run after a crash before the plan was kept plans again, since nothing has moved yet. */
export async function planHandover(handoverId: string, now: string): Promise<{ pages: number[] }> {
  const { handover, starter, body } = await workflowHandover(handoverId);
  const range = (n: number) => [...Array(n).keys()];
  if (handover.pages !== undefined) return { pages: range(Number(handover.pages)) };
  const receivers = await checkedPeople(body, starter);
  const items = await planBook(body, starter, receivers, now);
  const pages: Item[] = [];
  for (let i = 0; i < items.length; i += HANDOVER_PAGE_SIZE) {
    const number = pages.length;
    const slice = items.slice(i, i + HANDOVER_PAGE_SIZE);
    const totals = Object.fromEntries(HANDOVER_ITEM_KINDS.map((kind) => [counterName('total', kind), slice.filter((item) => item.kind === kind).length]));
    pages.push({ ...handoverPageKey(handoverId, number), handoverId, page: number, items: slice, outcomes: {}, moved: 0, notMoved: 0, ...totals });
  }
  for (let i = 0; i < pages.length; i += 25) {
    let requests: Item[] | undefined = pages.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests?.length) {
      const { UnprocessedItems } = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = UnprocessedItems?.[tableName()] as Item[] | undefined;
    }
  }
  await documentClient.send(new UpdateCommand({
    TableName: tableName(), Key: handoverKey(handoverId),
    UpdateExpression: 'SET pages = :pages, #total = :total, #status = :running',
    ConditionExpression: 'attribute_not_exists(pages)',
    ExpressionAttributeNames: { '#total': 'total', '#status': 'status' },
    ExpressionAttributeValues: { ':pages': pages.length, ':total': items.length, ':running': 'running' },
  }));
  return { pages: range(pages.length) };
}

/** The outcome marks of items of a page, each only if the item has none yet, with the page's counters (all, and per kind). */
const markWrite = (handoverId: string, page: number, marked: [number, HandoverItem][], outcome: HandoverOutcome): GuardedWrite => {
  const names = Object.fromEntries(marked.map(([index], n) => [`#i${n}`, `i${index}`]));
  const perKind = new Map<string, number>();
  for (const [, item] of marked) perKind.set(item.kind, (perKind.get(item.kind) ?? 0) + 1);
  const kinds = [...perKind].map(([kind, count], n) => ({ name: `#k${n}`, value: `:k${n}`, attribute: counterName(outcome.outcome, kind), count }));
  return {
    item: {
      Update: {
        TableName: tableName(), Key: handoverPageKey(handoverId, page),
        UpdateExpression: `SET ${Object.keys(names).map((name) => `outcomes.${name} = :outcome`).join(', ')} ADD #counter :count, ${kinds.map((k) => `${k.name} ${k.value}`).join(', ')}`,
        ConditionExpression: Object.keys(names).map((name) => `attribute_not_exists(outcomes.${name})`).join(' AND '),
        ExpressionAttributeNames: { ...names, '#counter': outcome.outcome === 'moved' ? 'moved' : 'notMoved', ...Object.fromEntries(kinds.map((k) => [k.name, k.attribute])) },
        ExpressionAttributeValues: { ':outcome': outcome, ':count': marked.length, ...Object.fromEntries(kinds.map((k) => [k.value, k.count])) },
      },
    },
    whenConditionFails: conflict(ALREADY_MARKED),
  };
};

/** Items a page moves in one transaction when their kind moves with one write (DynamoDB takes 100 writes in one). */
const MOVES_PER_TRANSACTION = 25;

const isMarked = (error: unknown) => error instanceof DomainError && error.message === ALREADY_MARKED;

/** Move a page: each item not yet marked moves with its mark, or gets its mark with why it could not. */
export async function moveHandoverPage(handoverId: string, number: number, now: string) {
  const { handover, starter } = await workflowHandover(handoverId);
  const { Item: page } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: handoverPageKey(handoverId, number), ConsistentRead: true }));
  if (!page) throw new Error(`handover ${handoverId} has no page ${number}`);
  const fromUserId = String(handover.fromUserId);
  const receivers = new Map<string, Receiver | undefined>();
  const receiverOf = async (userId: string) => {
    if (!receivers.has(userId)) {
      const user = await readUser(userId);
      receivers.set(userId, user?.status === 'active' ? asReceiver(user) : undefined);
    }
    return receivers.get(userId);
  };
  let moved = 0;
  let notMoved = 0;
  const moveOne = async (index: number, item: HandoverItem) => {
    const receiver = await receiverOf(item.toUserId);
    try {
      const reason = item.blocked ?? (receiver ? undefined : `${item.toUserId} is no longer an active user`)
        ?? await HANDOVER_KINDS[item.kind].move(item, fromUserId, receiver!, markWrite(handoverId, number, [[index, item]], { outcome: 'moved', at: now }), starter, now);
      if (reason) await writeAllOrNothing([markWrite(handoverId, number, [[index, item]], { outcome: 'not-moved', reason, at: now })]);
      if (reason) notMoved++;
      else moved++;
    } catch (error) {
      // an earlier attempt at this page marked the item already
      if (!isMarked(error)) throw error;
    }
  };
  // items of kinds that move with one write go many to a transaction, with their marks; when one of them
  // cannot move (or the transaction met another), each is tried alone, which says which and why
  let batch: [number, HandoverItem, Receiver][] = [];
  const flush = async () => {
    const chunk = batch;
    batch = [];
    if (chunk.length === 0) return;
    try {
      await writeAllOrNothing([
        ...chunk.map(([, item, receiver]) => HANDOVER_KINDS[item.kind].moveWrite!(item, fromUserId, receiver, now)),
        markWrite(handoverId, number, chunk.map(([index, item]) => [index, item]), { outcome: 'moved', at: now }),
      ]);
      moved += chunk.length;
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
      for (const [index, item] of chunk) await moveOne(index, item);
    }
  };
  for (const [index, item] of pageItems(page).entries()) {
    if (outcomeOf(page, index)) continue;
    const receiver = await receiverOf(item.toUserId);
    if (!item.blocked && receiver && HANDOVER_KINDS[item.kind].moveWrite) {
      batch.push([index, item, receiver]);
      if (batch.length === MOVES_PER_TRANSACTION) await flush();
      continue;
    }
    await moveOne(index, item);
  }
  await flush();
  return { page: number, moved, notMoved };
}

/** Finish: the leaver deactivated through the user records' own path if asked (once), and the handover completed. */
export async function finishHandover(handoverId: string, now: string) {
  const { handover, starter } = await workflowHandover(handoverId);
  if (handover.status === 'completed') return { status: 'completed' };
  let deactivated = false;
  if (handover.deactivate) {
    const userId = String(handover.fromUserId);
    const user = await readUser(userId);
    if (user && user.status !== 'inactive') await updateRecord(Users, starter, userId, { version: user.version, status: 'inactive' }, now);
    await applySignIn(userId, false);
    deactivated = true;
  }
  await documentClient.send(new UpdateCommand({
    TableName: tableName(), Key: handoverKey(handoverId),
    UpdateExpression: 'SET #status = :completed, finishedAt = :now, deactivated = :deactivated',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':completed': 'completed', ':now': now, ':deactivated': deactivated },
  }));
  return { status: 'completed', deactivated };
}

/** The workflow failed (a step kept failing): the handover says so; what moved stays moved. */
export async function failHandover(handoverId: string, failure: string, now: string) {
  await documentClient.send(new UpdateCommand({
    TableName: tableName(), Key: handoverKey(handoverId),
    UpdateExpression: 'SET #status = :failed, finishedAt = :now, failure = :failure',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':failed': 'failed', ':now': now, ':failure': failure.slice(0, 1000) },
  }));
  return { status: 'failed' };
}
