import {
  ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEY_TTL_SECONDS, oncePerKey, RETRY_AFTER_SECONDS } from '../../functions/events/once-per-key';
import type { DomainError } from '../../functions/platform/errors';
import { problem } from '../../functions/platform/http';
import { INBOUND_IDEMPOTENCY, TTL_ATTRIBUTE } from '../../schemas/keys';

const dynamo = mockClient(DynamoDBClient);
const NOW = Date.parse('2026-11-23T09:30:00Z');
const REMAINING_MS = 7_000;
const context = { getRemainingTimeInMillis: () => REMAINING_MS } as Context;
const body = '{"detailType":"Order.Placed","detail":{"orderId":"SO-1"}}';
const receipt = { eventId: 'evt-1', detailType: 'Order.Placed' };

/** What Powertools keys a claim by: the hash of the JSON of the selected key. */
const hashed = (value: string) => createHash('sha256').update(JSON.stringify(value)).digest('base64');
const claimKey = (system: string, idempotencyKey: string) => ({ pk: INBOUND_IDEMPOTENCY.pk, sk: INBOUND_IDEMPOTENCY.sk(system, hashed(idempotencyKey)) });

/** The put of a claim fails its condition, DynamoDB returning the item that is there (ALL_OLD). */
const alreadyThere = (item: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: marshall({ ...claimKey('erp', 'order-SO-1'), ...item }) });

const caught = async (promise: Promise<unknown>) => promise.then(() => { throw new Error('it did not refuse'); }, (error: unknown) => error as DomainError);

beforeAll(() => { process.env.TABLE_NAME = 'crm'; });
beforeEach(() => { vi.useFakeTimers({ now: NOW, toFake: ['Date'] }); });
afterEach(() => { dynamo.reset(); vi.useRealTimers(); });

describe('inbound idempotency (Powertools Idempotency on the single table)', () => {
  it('claims the key for as long as the invocation may run, takes the event once, and keeps the receipt for 24 h', async () => {
    const take = vi.fn(async () => receipt);
    await expect(oncePerKey('erp', { idempotencyKey: 'order-SO-1', body }, context, take)).resolves.toEqual({ result: receipt, repeat: false });
    expect(take).toHaveBeenCalledTimes(1);

    const put = dynamo.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(unmarshall(put.Item!)).toEqual({
      ...claimKey('erp', 'order-SO-1'),
      status: 'INPROGRESS',
      [TTL_ATTRIBUTE]: NOW / 1000 + KEY_TTL_SECONDS,
      inProgressExpiresAt: NOW + REMAINING_MS,
      bodyHash: hashed(body),
    });
    // a claim whose holder can no longer be running (its in-progress time passed) may be taken over
    expect(put.ConditionExpression).toContain('#in_progress_expiry < :now_in_millis');

    const done = dynamo.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(done.Key && unmarshall(done.Key)).toEqual(claimKey('erp', 'order-SO-1'));
    expect(unmarshall(done.ExpressionAttributeValues!)).toMatchObject({ ':status': 'COMPLETED', ':response_data': receipt });
  });

  it('answers a repeat with the same body with the first result, taking nothing', async () => {
    dynamo.on(PutItemCommand).rejects(alreadyThere({
      status: 'COMPLETED', [TTL_ATTRIBUTE]: NOW / 1000 + 3600, bodyHash: hashed(body), result: receipt,
    }));
    const take = vi.fn(async () => ({ eventId: 'evt-2', detailType: 'Order.Placed' }));
    await expect(oncePerKey('erp', { idempotencyKey: 'order-SO-1', body }, context, take)).resolves.toEqual({ result: receipt, repeat: true });
    expect(take).not.toHaveBeenCalled();
  });

  it('refuses the same key with another body: 422 problem+json naming idempotency-key', async () => {
    dynamo.on(PutItemCommand).rejects(alreadyThere({
      status: 'COMPLETED', [TTL_ATTRIBUTE]: NOW / 1000 + 3600, bodyHash: hashed(body), result: receipt,
    }));
    const take = vi.fn(async () => receipt);
    const error = await caught(oncePerKey('erp', { idempotencyKey: 'order-SO-1', body: body.replace('SO-1', 'SO-2') }, context, take));
    expect(take).not.toHaveBeenCalled();
    const response = problem(error);
    expect(response.statusCode).toBe(422);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(String(response.body))).toMatchObject({
      status: 422, detail: expect.stringContaining('idempotency-key'), errors: [{ field: 'header.idempotency-key' }],
    });
  });

  it('tells a repeat that arrives while the first is still being taken to retry: 409 with retry-after', async () => {
    dynamo.on(PutItemCommand).rejects(alreadyThere({
      status: 'INPROGRESS', [TTL_ATTRIBUTE]: NOW / 1000 + KEY_TTL_SECONDS, inProgressExpiresAt: NOW + 5_000, bodyHash: hashed(body),
    }));
    const take = vi.fn(async () => receipt);
    const response = problem(await caught(oncePerKey('erp', { idempotencyKey: 'order-SO-1', body }, context, take)));
    expect(take).not.toHaveBeenCalled();
    expect(response.statusCode).toBe(409);
    expect(response.headers).toMatchObject({ 'retry-after': String(RETRY_AFTER_SECONDS), 'content-type': 'application/problem+json' });
  });

  it('lets the key go when taking the event fails, so the sender may retry', async () => {
    const error = await caught(oncePerKey('erp', { idempotencyKey: 'order-SO-1', body }, context, async () => { throw new Error('the bus is down'); }));
    expect((error as Error).message).toBe('the bus is down');
    const deleted = dynamo.commandCalls(DeleteItemCommand)[0]!.args[0].input;
    expect(deleted.Key && unmarshall(deleted.Key)).toEqual(claimKey('erp', 'order-SO-1'));
    expect(dynamo.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('scopes keys by sending system: erp\'s "x" and web-forms\' "x" are two claims', async () => {
    await oncePerKey('erp', { idempotencyKey: 'shared-key-1', body }, context, async () => receipt);
    await oncePerKey('web-forms', { idempotencyKey: 'shared-key-1', body }, context, async () => receipt);
    const keys = dynamo.commandCalls(PutItemCommand).map((call) => unmarshall(call.args[0].input.Item!).sk as string);
    expect(keys).toEqual([claimKey('erp', 'shared-key-1').sk, claimKey('web-forms', 'shared-key-1').sk]);
    expect(keys[0]).not.toBe(keys[1]);
  });
});
