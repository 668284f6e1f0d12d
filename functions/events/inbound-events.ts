import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { Context } from 'aws-lambda';
import { findEvent, INBOUND_SYSTEMS, type InboundSystem } from '../../schemas/events';
import { quarantinedEventItem } from '../../schemas/keys';
import { invalid, invalidField, unauthenticated, type FieldIssue } from '../platform/errors';
import { putEvent } from '../platform/event-bus';
import { documentClient, tableName } from '../platform/table';
import { parseInput } from '../platform/validation';
import * as z from '../../schemas/zod';
import { EVENT_DETAIL_LIMITS, withinJsonLimits } from '../../schemas/json-limits';
import { oncePerKey } from './once-per-key';

/** How far a signed timestamp may be from now: a captured request cannot be replayed after this. */
export const REPLAY_WINDOW_SECONDS = 300;
const QUARANTINE_TTL_SECONDS = 30 * 24 * 3600;

export const SIGNATURE_HEADERS = {
  system: 'x-tradeflow-source',
  timestamp: 'x-tradeflow-timestamp',
  signature: 'x-tradeflow-signature',
  idempotencyKey: 'idempotency-key',
} as const;

/**
 * `v2=` + hex HMAC-SHA256 over `<timestamp>.<idempotency-key>.<raw body>` with the system's secret. The
 * key's alphabet has dots, but the body is a JSON object (it starts with `{`, which no key holds), so
 * no other key and body sign the same string.
 */
export const signatureOf = (secret: string, timestamp: string, idempotencyKey: string, body: string) =>
  `v2=${createHmac('sha256', secret).update(`${timestamp}.${idempotencyKey}.${body}`).digest('hex')}`;

const InboundBodySchema = z.strictObject({ detailType: z.string().check(z.minLength(1)), detail: z.unknown().check(...withinJsonLimits(EVENT_DETAIL_LIMITS)) });
const IDEMPOTENCY_KEY_RULE = 'must be 8-128 letters, digits or . _ : -';
const IdempotencyKeySchema = z.string().check(z.regex(/^[A-Za-z0-9._:-]{8,128}$/, IDEMPOTENCY_KEY_RULE));

function secretIdOf(system: InboundSystem): string {
  const ids = JSON.parse(process.env.INBOUND_SECRET_IDS ?? '{}') as Record<string, string>;
  const id = Object.hasOwn(ids, system) ? ids[system] : undefined;
  if (!id) throw new Error(`no secret configured for ${system}`);
  return id;
}

/** Who sent this: the system named by the header, proven by its signature over a fresh timestamp. */
export async function authenticate(headers: Record<string, string | undefined>, body: string, nowSeconds: number): Promise<InboundSystem> {
  const system = headers[SIGNATURE_HEADERS.system];
  // an own key only: `constructor` or `toString` is in every object
  if (!system || !Object.hasOwn(INBOUND_SYSTEMS, system)) {
    throw unauthenticated(`${SIGNATURE_HEADERS.system} must name a known system (${Object.keys(INBOUND_SYSTEMS).join(', ')})`);
  }
  // the key is part of what is signed: one outside its alphabet (non-ASCII bytes, say) is named as such,
  // not reported as a signature that does not match
  const idempotencyKey = headers[SIGNATURE_HEADERS.idempotencyKey];
  if (idempotencyKey !== undefined && !IdempotencyKeySchema.safeParse(idempotencyKey).success) {
    throw invalidField(`header.${SIGNATURE_HEADERS.idempotencyKey}`, IDEMPOTENCY_KEY_RULE);
  }
  const timestamp = headers[SIGNATURE_HEADERS.timestamp] ?? '';
  if (!/^\d{9,11}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > REPLAY_WINDOW_SECONDS) {
    throw unauthenticated(`${SIGNATURE_HEADERS.timestamp} must be the signing time in epoch seconds, within ${REPLAY_WINDOW_SECONDS} s of now`);
  }
  const signature = headers[SIGNATURE_HEADERS.signature] ?? '';
  // v1 signed only "<timestamp>.<body>": a captured request could be sent again under fresh keys
  if (signature.startsWith('v1=')) {
    throw unauthenticated(`${SIGNATURE_HEADERS.signature} v1 is no longer accepted: sign "<timestamp>.<${SIGNATURE_HEADERS.idempotencyKey}>.<raw body>" and send v2=<hex>`);
  }
  const secret = await getSecret(secretIdOf(system as InboundSystem), { maxAge: 300 });
  if (typeof secret !== 'string') throw new Error(`the secret of ${system} is not a string`);
  const expected = Buffer.from(signatureOf(secret, timestamp, headers[SIGNATURE_HEADERS.idempotencyKey] ?? '', body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw unauthenticated(`${SIGNATURE_HEADERS.signature} does not match the timestamp, ${SIGNATURE_HEADERS.idempotencyKey} and body`);
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
 * on the bus once per (system, idempotency key), and a repeat answers the first receipt.
 */
export async function receiveEvent(system: InboundSystem, idempotencyKey: string | undefined, body: string, now: Date, context: Context): Promise<Receipt> {
  let event: ReturnType<typeof validated>;
  try {
    event = validated(system, idempotencyKey, body);
  } catch (error) {
    const issues = (error as { issues?: FieldIssue[] }).issues ?? [];
    const quarantineId = await quarantine(system, idempotencyKey, body, issues, now);
    throw invalid(`${(error as Error).message}; kept as quarantined event ${quarantineId}`, issues);
  }
  const { result, repeat } = await oncePerKey(system, { idempotencyKey: event.idempotencyKey, body }, context, async () => ({
    eventId: await putEvent(event.definition.source, event.definition.detailType, event.detail),
    detailType: event.definition.detailType,
  }));
  return { ...result, duplicate: repeat };
}
