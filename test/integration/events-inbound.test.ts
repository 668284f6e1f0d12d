import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureOf } from '../../functions/events/inbound-events';
import { itemFor, recordKey } from '../../schemas/keys';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/**
 * Other systems' events: signed POST /events, idempotency, quarantine, and the ERP's orders and
 * payments travelling PutEvents -> rule -> state machine -> DynamoDB -> event out.
 */
let crm: LocalCrm;
let secrets: Record<string, string>;
let nordicId: string;

beforeAll(async () => {
  crm = await startLocalCrm();
  const client = new SecretsManagerClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  secrets = {};
  for (const system of ['erp', 'web-forms']) {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: `tradeflow/inbound/${system}` }));
    secrets[system] = SecretString!;
  }
  client.destroy();
  const accounts = await crm.as('u-sales').get('/accounts?status=active');
  nordicId = accounts.body.items.find((a: { code: string }) => a.code === 'NORDIC-DIST').id;
});
afterAll(async () => crm?.stop());

interface Send {
  system?: string;
  key?: string;
  timestamp?: number;
  secret?: string;
  signature?: string | null;
}

async function sendEvent(body: unknown, options: Send = {}) {
  const system = options.system ?? 'erp';
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const key = options.key ?? randomUUID();
  const signature = options.signature === null ? undefined : options.signature ?? signatureOf(options.secret ?? secrets[system]!, timestamp, key, raw);
  const response = await fetch(`${crm.runtime.apiUrl}/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-tradeflow-source': system,
      'x-tradeflow-timestamp': timestamp,
      ...(signature ? { 'x-tradeflow-signature': signature } : {}),
      'idempotency-key': key,
    },
    body: raw,
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as any };
}

const order = (orderId: string, overrides: Record<string, unknown> = {}) => ({
  detailType: 'Order.Placed',
  detail: { orderId, accountCode: 'NORDIC-DIST', placedAt: '2026-11-23T09:30:00Z', amount: { amountMinor: 987_650, currency: 'EUR' }, ...overrides },
});

const timelineOf = async () => (await crm.as('u-sales').get(`/accounts/${nordicId}/360`)).body.latestActivities as any[];

describe('POST /events', () => {
  it('puts a good event on the bus, and the ERP order lands on the account timeline once', async () => {
    const orderId = `SO-${randomUUID().slice(0, 8)}`;
    const reply = await sendEvent(order(orderId));
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ detailType: 'Order.Placed', duplicate: false });

    const onBus = await crm.eventually(() => crm.busEvents(), (events) => events.some((e) => e.id === reply.body.eventId));
    expect(onBus.find((e) => e.id === reply.body.eventId)).toMatchObject({ source: 'ext.erp', 'detail-type': 'Order.Placed', detail: { orderId } });

    const activityId = `erp-order-${orderId}`;
    const timeline = await crm.eventually(timelineOf, (activities) => activities.some((a) => a.id === activityId));
    expect(timeline.find((a) => a.id === activityId)).toMatchObject({
      type: 'order', subject: `Order ${orderId} (ERP)`, amount: { amountMinor: 987_650, currency: 'EUR' }, ownerId: 'u-sales', accountId: nordicId,
    });
    const announced = await crm.eventually(() => crm.busEvents(), (events) => events.some((e) => e['detail-type'] === 'Activity.Recorded' && e.detail.activityId === activityId));
    expect(announced.find((e) => e['detail-type'] === 'Activity.Recorded' && e.detail.activityId === activityId)?.detail.origin).toEqual({
      source: 'ext.erp', detailType: 'Order.Placed', eventId: reply.body.eventId,
    });
  });

  it('writes the activity exactly as the API would (the workflow builds keys like schemas/keys/)', async () => {
    const orderId = `SO-${randomUUID().slice(0, 8)}`;
    await sendEvent(order(orderId));
    await crm.eventually(timelineOf, (activities) => activities.some((a) => a.id === `erp-order-${orderId}`));
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: crm.runtime.dynamoDbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
    const { Item } = await documents.send(new GetCommand({ TableName: crm.runtime.tableName, Key: recordKey('ACTIVITY', `erp-order-${orderId}`) }));
    documents.destroy();
    const { pk: _pk, sk: _sk, recordType: _type, ...record } = Object.fromEntries(
      Object.entries(Item!).filter(([key]) => !/^by[A-Z]\w*(Pk|Sk)$/.test(key)),
    );
    expect(Item).toEqual(itemFor('ACTIVITY', record));
  });

  it('answers a repeat of the same idempotency key with the first result and puts nothing twice', async () => {
    const key = `order-${randomUUID()}`;
    const orderId = `SO-${randomUUID().slice(0, 8)}`;
    const first = await sendEvent(order(orderId), { key });
    const again = await sendEvent(order(orderId), { key });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    await crm.eventually(timelineOf, (activities) => activities.some((a) => a.id === `erp-order-${orderId}`));
    const events = await crm.busEvents();
    expect(events.filter((e) => e['detail-type'] === 'Order.Placed' && e.detail.orderId === orderId)).toHaveLength(1);
  });

  it('refuses the same key with another body with 422 naming idempotency-key, and puts nothing for it', async () => {
    const key = `order-${randomUUID()}`;
    const orderId = `SO-${randomUUID().slice(0, 8)}`;
    expect((await sendEvent(order(orderId), { key })).status).toBe(202);
    const changed = await sendEvent(order(orderId, { amount: { amountMinor: 1, currency: 'EUR' } }), { key });
    expect(changed.status).toBe(422);
    expect(changed.contentType).toBe('application/problem+json');
    expect(changed.body.errors).toEqual([expect.objectContaining({ field: 'header.idempotency-key' })]);
    expect(changed.body.detail).toContain('idempotency-key');
    await crm.eventually(timelineOf, (activities) => activities.some((a) => a.id === `erp-order-${orderId}`));
    const events = await crm.busEvents();
    expect(events.filter((e) => e['detail-type'] === 'Order.Placed' && e.detail.orderId === orderId)).toHaveLength(1);
  });

  it('keeps each system\'s keys apart: the same key from erp and from web-forms is two events', async () => {
    const key = `shared-${randomUUID()}`;
    const fromErp = await sendEvent(order(`SO-${randomUUID().slice(0, 8)}`), { key });
    const lead = {
      detailType: 'Lead.Captured',
      detail: { formId: 'contact', capturedAt: '2026-11-23T10:00:00Z', firstName: 'Ada', lastName: 'Keys', email: `ada-${randomUUID().slice(0, 8)}@example.com`, consent: { marketing: false } },
    };
    const fromWebForms = await sendEvent(lead, { key, system: 'web-forms' });
    expect([fromErp.status, fromWebForms.status]).toEqual([202, 202]);
    expect(fromWebForms.body.eventId).not.toBe(fromErp.body.eventId);
  });

  it('refuses a bad event with 400 naming each field, and keeps it in quarantine for ops', async () => {
    const reply = await sendEvent(order('SO-BAD', { accountCode: 'lower-case', amount: { amountMinor: 1.5, currency: 'EUR' }, placedAt: 'yesterday' }));
    expect(reply.status).toBe(400);
    expect(reply.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.detail.accountCode', 'body.detail.amount.amountMinor', 'body.detail.placedAt',
    ]);
    const quarantineId = /quarantined event ([\w-]+)/.exec(reply.body.detail)?.[1];
    expect(quarantineId).toBeDefined();
    const listed = await crm.as('u-ops').get('/events/quarantine');
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((q: { id: string }) => q.id === quarantineId)).toMatchObject({ system: 'erp', errors: expect.any(Array) });
    expect((await crm.as('u-sales').get('/events/quarantine')).status).toBe(403);
  });

  it('refuses an event type the system does not send', async () => {
    const reply = await sendEvent({ detailType: 'Lead.Captured', detail: {} });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([expect.objectContaining({ field: 'body.detailType' })]);
  });

  it('refuses unsigned, wrongly signed, replayed and unknown-system requests with 401, putting nothing', async () => {
    const body = order(`SO-${randomUUID().slice(0, 8)}`);
    expect((await sendEvent(body, { signature: null })).status).toBe(401);
    expect((await sendEvent(body, { secret: 'not-the-secret' })).status).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 360;
    const replayed = await sendEvent(body, { timestamp: sixMinutesAgo });
    expect(replayed.status).toBe(401);
    expect(replayed.body.detail).toMatch(/within 300 s/);
    expect((await sendEvent(body, { system: 'billing', secret: 'any-secret' })).status).toBe(401);
    // a signature made for web-forms does not let the ERP in
    expect((await sendEvent(body, { secret: secrets['web-forms'] })).status).toBe(401);
    // the key is signed: a captured request sent again under another key does not pass
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = signatureOf(secrets.erp!, String(timestamp), 'the-signed-key', JSON.stringify(body));
    expect((await sendEvent(body, { timestamp, signature: signed, key: 'another-key' })).status).toBe(401);
    // v1 signed the timestamp and body only: refused, saying what to send instead
    const v1 = `v1=${createHmac('sha256', secrets.erp!).update(`${timestamp}.${JSON.stringify(body)}`).digest('hex')}`;
    const refusedV1 = await sendEvent(body, { timestamp, signature: v1 });
    expect(refusedV1.status).toBe(401);
    expect(refusedV1.body.detail).toMatch(/v2=/);
    // a refused request puts nothing, before it answers (other tests' events may still be arriving: only this order's count)
    expect((await crm.busEvents()).filter((e) => e.detail?.orderId === body.detail.orderId)).toEqual([]);
  });
});

describe('the ERP through PutEvents', () => {
  it('delivering the same payment three times records it once', async () => {
    const client = new EventBridgeClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const paymentId = `PAY-${randomUUID().slice(0, 8)}`;
    const detail = { paymentId, accountCode: 'NORDIC-DIST', receivedAt: '2026-11-23T11:00:00Z', amount: { amountMinor: 50_000, currency: 'EUR' } };
    const eventIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const put = await client.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'ext.erp', DetailType: 'Payment.Received', Detail: JSON.stringify(detail) }] }));
      expect(put.FailedEntryCount).toBe(0);
      eventIds.push(put.Entries![0]!.EventId!);
    }
    client.destroy();
    const executions = await crm.eventually(
      () => crm.finishedExecutions('tradeflow-record-erp-activity'),
      (done) => eventIds.every((id) => done.some((e) => e.input.id === id)),
    );
    expect(eventIds.map((id) => executions.find((e) => e.input.id === id)?.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const timeline = await timelineOf();
    expect(timeline.filter((a) => a.id === `erp-payment-${paymentId}`)).toHaveLength(1);
    const recorded = (await crm.busEvents()).filter((e) => e['detail-type'] === 'Activity.Recorded' && e.detail.activityId === `erp-payment-${paymentId}`);
    expect(recorded).toHaveLength(1);
  });

  it('an order for an account code nobody has fails visibly, naming the code', async () => {
    const client = new EventBridgeClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const detail = { orderId: 'SO-NOBODY', accountCode: 'NO-SUCH-CODE', placedAt: '2026-11-23T11:00:00Z', amount: { amountMinor: 1, currency: 'EUR' } };
    const put = await client.send(new PutEventsCommand({ Entries: [{ EventBusName: 'crm', Source: 'ext.erp', DetailType: 'Order.Placed', Detail: JSON.stringify(detail) }] }));
    client.destroy();
    const eventId = put.Entries![0]!.EventId!;
    const executions = await crm.eventually(() => crm.finishedExecutions('tradeflow-record-erp-activity'), (done) => done.some((e) => e.input.id === eventId));
    expect(executions.find((e) => e.input.id === eventId)).toMatchObject({ status: 'FAILED', error: 'UnknownAccount', cause: 'No account has the code NO-SUCH-CODE' });
  });
});
