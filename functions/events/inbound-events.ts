import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { findEvent, INBOUND_SYSTEMS, type InboundSystem } from '../../schemas/events';
import { inboundReceiptKey, quarantinedEventItem } from '../../schemas/keys';
import { invalid, unauthenticated, conflict, type FieldIssue } from '../platform/errors';
import { putEvent } from '../platform/event-bus';
import { documentClient, tableName } from '../platform/table';
import { parseInput } from '../platform/validation';
import * as z from '../../schemas/zod';

/** How far a signed timestamp may be from now: a captured request cannot be replayed after this. */
export const REPLAY_WINDOW_SECONDS = 300;
/** How long a receipt answers repeats of the same idempotency key. */
export const RECEIPT_TTL_SECONDS = 24 * 3600;
const QUARANTINE_TTL_SECONDS = 30 * 24 * 3600;

export const SIGNATURE_HEADERS = {
  system: 'x-tradeflow-source',
  timestamp: 'x-tradeflow-timestamp',
  signature: 'x-tradeflow-signature',
  idempotencyKey: 'idempotency-key',
} as const;

/** `v1=` + hex HMAC-SHA256 over `<timestamp>.<raw body>` with the system's secret. */
export const signatureOf = (secret: string, timestamp: string, body: string) =>
  `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

const InboundBodySchema = z.strictObject({ detailType: z.string().check(z.minLength(1)), detail: z.unknown() });
const IdempotencyKeySchema = z.string().check(z.regex(/^[A-Za-z0-9._:-]{8,128}$/, 'must be 8-128 letters, digits or . _ : -'));

function secretIdOf(system: InboundSystem): string {
  const ids = JSON.parse(process.env.INBOUND_SECRET_IDS ?? '{}') as Record<string, string>;
  const id = ids[system];
  if (!id) throw new Error(`no secret configured for ${system}`);
  return id;
}

/** Who sent this: the system named by the header, proven by its signature over a fresh timestamp. */
export async function authenticate(headers: Record<string, string | undefined>, body: string, nowSeconds: number): Promise<InboundSystem> {
  const system = headers[SIGNATURE_HEADERS.system];
  if (!system || !(system in INBOUND_SYSTEMS)) {
    throw unauthenticated(`${SIGNATURE_HEADERS.system} must name a known system (${Object.keys(INBOUND_SYSTEMS).join(', ')})`);
  }
  const timestamp = headers[SIGNATURE_HEADERS.timestamp] ?? '';
  if (!/^\d{9,11}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > REPLAY_WINDOW_SECONDS) {
    throw unauthenticated(`${SIGNATURE_HEADERS.timestamp} must be the signing time in epoch seconds, within ${REPLAY_WINDOW_SECONDS} s of now`);
  }
  const secret = await getSecret(secretIdOf(system as InboundSystem), { maxAge: 300 });
  if (typeof secret !== 'string') throw new Error(`the secret of ${system} is not a string`);
  const expected = Buffer.from(signatureOf(secret, timestamp, body));
  const given = Buffer.from(headers[SIGNATURE_HEADERS.signature] ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw unauthenticated(`${SIGNATURE_HEADERS.signature} does not match the body and timestamp`);
  }
  return system as InboundSystem;
}

/** Checks the event against the catalogue: its type must be one this system sends, its detail valid. */
function validated(system: InboundSystem, idempotencyKey: string | undefined, body: string) {
  const issues: FieldIssue[] = [];
  const key = IdempotencyKeySchema.safeParse(idempotencyKey);
  if (!key.success) issues.push({ field: `header.${SIGNATURE_HEADERS.idempotencyKey}`, message: idempotencyKey ? key.error.issues[0]!.message : 'is required' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw invalid('the body is not valid JSON', [...issues, { field: 'body', message: 'is not valid JSON' }]);
  }
  const envelope = parseInput(InboundBodySchema, parsed, 'body');
  const definition = findEvent(INBOUND_SYSTEMS[system], envelope.detailType);
  if (!definition) {
    throw invalid(`${system} sends no ${envelope.detailType} events`, [...issues, { field: 'body.detailType', message: `is not an event ${system} sends` }]);
  }
  const detail = definition.detail.safeParse(envelope.detail);
  if (!detail.success) {
    issues.push(...detail.error.issues.map((i) => ({ field: ['body', 'detail', ...i.path.map(String)].join('.'), message: i.message, code: i.code })));
  }
  if (issues.length) throw invalid(`the ${envelope.detailType} event has ${issues.length} invalid field(s)`, issues);
  return { definition, detail: detail.data, idempotencyKey: key.data! };
}

async function quarantine(system: string, idempotencyKey: string | undefined, body: string, issues: FieldIssue[], now: Date) {
  const id = randomUUID();
  const receivedAt = now.toISOString();
  await documentClient.send(new PutCommand({
    TableName: tableName(),
    Item: quarantinedEventItem(id, receivedAt, {
      system, idempotencyKey, body: body.slice(0, 64 * 1024), errors: issues,
      expiresAt: Math.floor(now.getTime() / 1000) + QUARANTINE_TTL_SECONDS,
    }),
  }));
  return id;
}

export interface Receipt {
  eventId: string;
  detailType: string;
  duplicate: boolean;
}

/**
 * Takes one authenticated event: a bad one is quarantined (and the 400 names its id); a good one is put
 * on the bus once per idempotency key. The receipt is claimed before the put, so two deliveries of the
 * same key at once cannot both put; if the put fails, the claim is released and the sender may retry.
 */
export async function receiveEvent(system: InboundSystem, idempotencyKey: string | undefined, body: string, now: Date): Promise<Receipt> {
  let event: ReturnType<typeof validated>;
  try {
    event = validated(system, idempotencyKey, body);
  } catch (error) {
    const issues = (error as { issues?: FieldIssue[] }).issues ?? [];
    const quarantineId = await quarantine(system, idempotencyKey, body, issues, now);
    throw invalid(`${(error as Error).message}; kept as quarantined event ${quarantineId}`, issues);
  }
  const key = inboundReceiptKey(system, event.idempotencyKey);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  try {
    await documentClient.send(new PutCommand({
      TableName: tableName(),
      Item: { ...key, status: 'pending', detailType: event.definition.detailType, receivedAt: now.toISOString(), expiresAt: nowSeconds + RECEIPT_TTL_SECONDS },
      // an expired receipt that the TTL sweep has not removed yet no longer counts
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': nowSeconds },
    }));
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    const { Item } = await documentClient.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
    if (Item?.status === 'put') return { eventId: String(Item.eventId), detailType: String(Item.detailType), duplicate: true };
    throw conflict(`an event with idempotency key ${event.idempotencyKey} is still being taken; retry in a moment`);
  }
  let eventId: string;
  try {
    eventId = await putEvent(event.definition.source, event.definition.detailType, event.detail);
  } catch (error) {
    await documentClient.send(new DeleteCommand({ TableName: tableName(), Key: key }));
    throw error;
  }
  await documentClient.send(new UpdateCommand({
    TableName: tableName(), Key: key,
    UpdateExpression: 'SET #status = :put, eventId = :eventId',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':put': 'put', ':eventId': eventId },
  }));
  return { eventId, detailType: event.definition.detailType, duplicate: false };
}
