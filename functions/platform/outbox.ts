import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { HOLDER_MARKS_WITHIN_MS, outboxKey, OUTBOX_KEEP_DELIVERED_DAYS, OUTBOX_MAIL_TAG, TTL_ATTRIBUTE } from '../../schemas/keys';
import * as z from '../../schemas/zod';
import { conflict } from './errors';
import { busEntry, checkedEvent, putEntries, type DetailOf } from './event-bus';
import { sendMail } from './mail';
import { logger } from './observability';
import { documentClient, getItems, keyString, tableName } from './table';
import { startNamedExecution, wakeWaitOn, type SignalledItemKey } from './step-functions';
import type { GuardedWrite } from './transact';
import type { EventDefinition } from '../../schemas/events';

/*
 * The outbox: a change and what it announces are one transaction. A write that announces an event,
 * sends a mail, must wake a waiting workflow or start one adds an outbox item (eventToAnnounce, mailToSend,
 * waitToWake, workflowToStart) to its own writeAllOrNothing; the table's stream wakes the relay (relay-outbox.ts) for
 * each new item, which delivers it (deliverOutboxItem) and marks it done. A crash anywhere delays the
 * effect until the stream's retry, never loses it.
 *
 * Deduplication: an item is named by the business id of what it announces (a promotion's submission, an
 * approval task's mail, an enrolment's step), so a retried change writes it once. An event is put again
 * only when the relay crashed between PutEvents and its mark; its consumers key on that same business id
 * (the promotion lifecycle claims its promotion and submission). A mail is claimed ("sending", with a
 * lease) before SES is called and marked "sent" with SES's message id at once after. A crash between SES
 * accepting and that mark is closed by SES's own Send event: the mail carries its outbox id as a tag, and
 * confirmSentBySes marks it sent from that event, long before the lease lets another attempt send it
 * (docs/decisions.md).
 */

/** A mail as sendMail takes it (the configuration set is added when it is sent). */
export type OutboxMail = Omit<SendEmailCommandInput, 'ConfigurationSetName'>;
/** The item that follows a mail's fate (a nurture step's claim): it gets status, messageId and sentAt too. */
export interface MailTracker { pk: string; sk: string }

type CatalogueEvent = Pick<EventDefinition, 'source' | 'detailType' | 'detail' | 'direction'>;

const OutboxItemSchema = z.object({
  id: z.string(),
  status: z.enum(['pending', 'sending', 'delivered', 'sent', 'failed']),
  /** a mail being sent: until when (epoch ms) that attempt holds it */
  sendingUntil: z.optional(z.number()),
  event: z.optional(z.object({ source: z.string(), detailType: z.string(), detail: z.string() })),
  mail: z.optional(z.record(z.string(), z.unknown())),
  tracker: z.optional(z.object({ pk: z.string(), sk: z.string() })),
  /** a workflow's wait on this item to wake (step-functions.ts) */
  wake: z.optional(z.object({ pk: z.string(), sk: z.string() })),
  /** a named execution to start (a second start of the same name is a no-op) */
  start: z.optional(z.object({ stateMachineArn: z.string(), name: z.string(), input: z.string() })),
});
export type OutboxItem = z.output<typeof OutboxItemSchema>;

/** The outbox id as an SES tag value (which allows only [A-Za-z0-9_.@-]). */
const tagOf = (id: string) => Buffer.from(id).toString('base64url');
export const outboxIdOfTag = (value: string) => Buffer.from(value, 'base64url').toString();

/** The mail as the relay hands it to SES: tagged with its outbox item, so SES's events name it. */
export function mailAsSent(id: string, mail: OutboxMail): OutboxMail {
  return { ...mail, EmailTags: [...(mail.EmailTags ?? []), { Name: OUTBOX_MAIL_TAG, Value: tagOf(id) }] };
}

/** How long one attempt holds a mail it is sending: past the relay's timeout, so a crashed attempt's hold ends. */
export const MAIL_LEASE_MS = 60_000;
export { HOLDER_MARKS_WITHIN_MS };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** SES errors that another attempt would meet again: the mail is marked failed, not retried. */
const PERMANENT_MAIL_ERRORS = new Set(['MessageRejected', 'NotFoundException', 'BadRequestException', 'MailFromDomainNotVerifiedException']);

function outboxPut(id: string, now: string, fields: Partial<OutboxItem>): GuardedWrite {
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: { ...outboxKey(id), id, status: 'pending', createdAt: now, ...fields },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    whenConditionFails: conflict(`this change was announced already (${id}); read it again`),
  };
}

/** The write that announces one of the CRM's events, checked against the catalogue now, delivered by the relay. */
export function eventToAnnounce<E extends CatalogueEvent>(id: string, event: E, detail: DetailOf<E>, now: string): GuardedWrite {
  return outboxPut(id, now, { event: checkedEvent(event, detail) });
}

/** The write that sends one mail through the relay; the tracker, if any, learns that it was sent (or failed). */
export function mailToSend(id: string, mail: OutboxMail, now: string, tracker?: MailTracker): GuardedWrite {
  return outboxPut(id, now, { mail: mail as Record<string, unknown>, ...(tracker ? { tracker } : {}) });
}

/** The write that wakes the workflow waiting on `key` once the change commits (a decision, a recall), unless it saw the change already. */
export function waitToWake(id: string, key: SignalledItemKey, now: string): GuardedWrite {
  return outboxPut(id, now, { wake: { pk: key.pk, sk: key.sk } });
}

/** The write that starts a named execution once the change commits (a handover's workflow). */
export function workflowToStart(id: string, start: { stateMachineArn: string; name: string; input: unknown }, now: string): GuardedWrite {
  return outboxPut(id, now, { start: { ...start, input: JSON.stringify(start.input) } });
}

const expiresAt = (nowMs: number) => Math.floor(nowMs / 1000) + OUTBOX_KEEP_DELIVERED_DAYS * 86_400;

async function readItem(id: string): Promise<OutboxItem | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: outboxKey(id), ConsistentRead: true }));
  return Item ? OutboxItemSchema.parse(Item) : undefined;
}

const isConditionFailure = (error: unknown) => error instanceof Error && error.name === 'ConditionalCheckFailedException';

export type Delivery = 'delivered' | 'sent' | 'failed' | 'done before';

/**
 * Delivers one outbox item at least once and marks it: an event is put on the bus; a mail is sent once
 * per item (see the header). Throws when it should be tried again (the bus or SES is unreachable, or
 * another attempt holds the mail), which the stream's retry does.
 */
export async function deliverOutboxItem(id: string, nowMs = Date.now()): Promise<Delivery> {
  const item = await readItem(id);
  if (!item || item.status === 'delivered' || item.status === 'sent' || item.status === 'failed') return 'done before';
  if (item.event) {
    const [eventId] = await putEntries([busEntry(item.event)]);
    return markDelivered(id, nowMs, eventId);
  }
  if (item.mail) return sendOnce(item, nowMs);
  if (item.wake) {
    await wakeWaitOn(item.wake);
    return markDelivered(id, nowMs);
  }
  if (item.start) {
    await startNamedExecution(item.start.stateMachineArn, item.start.name, JSON.parse(item.start.input));
    return markDelivered(id, nowMs);
  }
  throw new Error(`outbox item ${id} carries neither an event, a mail, a wait to wake nor a workflow to start`);
}

async function markDelivered(id: string, nowMs: number, eventId?: string): Promise<Delivery> {
  await documentClient.send(new UpdateCommand({
    TableName: tableName(), Key: outboxKey(id),
    UpdateExpression: `SET #status = :delivered, deliveredAt = :at, #ttl = :ttl${eventId ? ', eventId = :eventId' : ''}`,
    ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL_ATTRIBUTE },
    ExpressionAttributeValues: { ':delivered': 'delivered', ':at': new Date(nowMs).toISOString(), ':ttl': expiresAt(nowMs), ...(eventId ? { ':eventId': eventId } : {}) },
  }));
  return 'delivered';
}

async function sendOnce(item: OutboxItem, nowMs: number): Promise<Delivery> {
  try {
    await documentClient.send(new UpdateCommand(holdMail(item.id, nowMs).Update));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const held = await readItem(item.id);
    if (held?.status === 'sending') {
      throw new Error(`outbox mail ${item.id} is being sent by another attempt until ${new Date(held.sendingUntil ?? 0).toISOString()}; trying again later`, { cause: error });
    }
    return 'done before';
  }
  const fields = await sendHeldMail(item, nowMs);
  await finish(item, nowMs, fields);
  return fields.status === 'sent' ? 'sent' : 'failed';
}

/**
 * Sends a mail this attempt holds: its mark's fields (sent, or refused by SES for good). A failure another
 * attempt may not meet releases the hold and throws.
 */
async function sendHeldMail(item: OutboxItem, nowMs: number): Promise<Record<string, string>> {
  try {
    const messageId = await sendMail(mailAsSent(item.id, item.mail as OutboxMail));
    return { status: 'sent', messageId: messageId ?? '', sentAt: new Date(nowMs).toISOString() };
  } catch (error) {
    const name = (error as Error).name;
    if (PERMANENT_MAIL_ERRORS.has(name)) {
      logger.error('outbox mail refused by SES for good', { outboxId: item.id, error: error as Error });
      return { status: 'failed', failure: `${name}: ${(error as Error).message}` };
    }
    await release(item.id, nowMs);
    throw error;
  }
}

/** A new outbox item as the table's stream shows it: a mail among them may be sent with others (sendOutboxMails). */
export function outboxItemOf(image: Record<string, unknown>): OutboxItem | undefined {
  const parsed = OutboxItemSchema.safeParse(image);
  return parsed.success ? parsed.data : undefined;
}

export const isMail = (item: OutboxItem) => item.mail !== undefined;

const holdMail = (id: string, nowMs: number) => ({
  Update: {
    TableName: tableName(), Key: outboxKey(id),
    UpdateExpression: 'SET #status = :sending, sendingUntil = :until ADD attempts :one',
    ConditionExpression: '#status = :pending OR (#status = :sending AND sendingUntil < :now)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':until': nowMs + MAIL_LEASE_MS, ':now': nowMs, ':one': 1 },
  },
});

/**
 * A run of new mail items, in stream order, with two table requests for all of them: one transaction
 * holds them all (as sendOnce holds one), SES is called for each, and one transaction marks them and
 * their trackers. Resolves with the index of the first mail that must be tried again (-1: none); the
 * holds of it and of the mails after it are released. When the hold cannot take them all (a retried
 * batch meets a mail sent or held already), or the marks fail, each mail goes the one-by-one way
 * (deliverOutboxItem, finish), which reads what the transaction could not say.
 */
export async function sendOutboxMails(items: OutboxItem[], nowMs = Date.now()): Promise<number> {
  if (items.length === 0) return -1;
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: items.map((item) => holdMail(item.id, nowMs)) }));
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
    for (const [index, item] of items.entries()) {
      try {
        await deliverOutboxItem(item.id, nowMs);
      } catch (failure) {
        logger.warn('outbox mail not sent; the stream retries it', { outboxId: item.id, error: failure as Error });
        return index;
      }
    }
    return -1;
  }
  // sent side by side, so the run is marked soon after its first mail went (SES's Send event waits that long, confirmSentBySes)
  const sent = await Promise.all(items.map(async (item): Promise<{ item: OutboxItem; fields: Record<string, string> } | undefined> => {
    try {
      return { item, fields: await sendHeldMail(item, nowMs) };
    } catch (error) {
      logger.warn('outbox mail not sent; the stream retries it', { outboxId: item.id, error: error as Error });
      return undefined;
    }
  }));
  const failedAt = sent.findIndex((outcome) => outcome === undefined);
  // mails after the first failure that went are marked too: their records come back with it and find them sent
  const outcomes = sent.filter((outcome) => outcome !== undefined);
  // a mail and its tracker are two items of the transaction, which takes 100
  for (let i = 0; i < outcomes.length; i += 50) {
    const chunk = outcomes.slice(i, i + 50);
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: chunk.flatMap(({ item, fields }) => marks(item, nowMs, fields)) }));
    } catch (error) {
      logger.warn('outbox mails marked one by one', { error: error as Error });
      for (const { item, fields } of chunk) await finish(item, nowMs, fields);
    }
  }
  return failedAt;
}

/** Lets the next attempt have a held mail at once rather than after the lease; failing that, the lease ends it. */
async function release(id: string, nowMs: number) {
  try {
    await documentClient.send(new UpdateCommand({
      TableName: tableName(), Key: outboxKey(id), UpdateExpression: 'SET #status = :pending REMOVE sendingUntil',
      ConditionExpression: '#status = :sending AND sendingUntil = :until',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':until': nowMs + MAIL_LEASE_MS },
    }));
  } catch (error) {
    logger.warn('outbox mail kept until its lease ends', { outboxId: id, error: error as Error });
  }
}

/**
 * SES's Send event for an outbox mail: it was accepted. An attempt that died before its own mark leaves the
 * mail held; this marks it sent (with its tracker), so the attempt after the lease sends nothing.
 */
/** A mail SES accepted, as its Send event names it. */
export interface AcceptedMail { outboxId: string; messageId: string; acceptedAtMs: number }

/**
 * Marks as sent, with their trackers, the mails SES accepted that are still pending or held: their attempt
 * died before its mark. The Send events come ten at a time, from a queue that delays each until its attempt
 * has had HOLDER_MARKS_WITHIN_MS to mark its run; one read covers them all. Says per outbox id whether it
 * marked the mail, or the error that mark met (that event is delivered again).
 */
export async function confirmSentBySes(mails: AcceptedMail[], nowMs = Date.now()): Promise<Map<string, boolean | Error>> {
  // a Send event that came sooner than its queue delays it waits the rest here
  await sleep(Math.max(...mails.map((m) => m.acceptedAtMs)) + HOLDER_MARKS_WITHIN_MS - nowMs);
  const found = await getItems(mails.map((m) => outboxKey(m.outboxId)));
  const outcomes = new Map<string, boolean | Error>();
  await Promise.all(mails.map(async ({ outboxId, messageId }) => {
    const stored = found.get(keyString(outboxKey(outboxId)));
    const item = stored && OutboxItemSchema.parse(stored);
    if (!item?.mail || (item.status !== 'pending' && item.status !== 'sending')) return outcomes.set(outboxId, false);
    try {
      await finish(item, nowMs, { status: 'sent', messageId, sentAt: new Date(nowMs).toISOString() });
      outcomes.set(outboxId, true);
    } catch (error) {
      outcomes.set(outboxId, error as Error);
    }
  }));
  return outcomes;
}

/** The mail's mark and its tracker's; the mark keeps no hold and expires. */
function marks(item: OutboxItem, nowMs: number, fields: Record<string, string>) {
  const names = Object.fromEntries(Object.keys(fields).map((f) => [`#${f}`, f]));
  const values = Object.fromEntries(Object.entries(fields).map(([f, v]) => [`:${f}`, v]));
  const set = Object.keys(fields).map((f) => `#${f} = :${f}`).join(', ');
  return [
    {
      Update: {
        TableName: tableName(), Key: outboxKey(item.id),
        UpdateExpression: `SET ${set}, #ttl = :ttl REMOVE sendingUntil`,
        ExpressionAttributeNames: { ...names, '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ...values, ':ttl': expiresAt(nowMs) },
      },
    },
    ...(item.tracker ? [{
      Update: { TableName: tableName(), Key: item.tracker, UpdateExpression: `SET ${set}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values },
    }] : []),
  ];
}

/** One mail's marks in one transaction. */
async function finish(item: OutboxItem, nowMs: number, fields: Record<string, string>) {
  await documentClient.send(new TransactWriteCommand({ TransactItems: marks(item, nowMs, fields) }));
}
