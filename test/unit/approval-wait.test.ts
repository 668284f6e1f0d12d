import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeWaitToken, WAIT_DRIFT_LIMIT_MS } from '../../functions/approvals/approval-engine';

const dynamo = mockClient(DynamoDBDocumentClient);
const low = mockClient(DynamoDBClient);
const countedAt = '2026-11-27T17:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(countedAt) + ms);

beforeAll(() => { process.env.TABLE_NAME = 'crm'; });
afterEach(() => { dynamo.reset(); low.reset(); });

describe('an approval wait (its timeout counts from when it starts)', () => {
  it('stores its token and keeps waiting when it starts soon after the engine counted its timer', async () => {
    dynamo.on(UpdateCommand).resolves({ Attributes: { signals: 2 } });
    await expect(storeWaitToken('apr-1', 3, 2, 'token-1', countedAt, at(800))).resolves.toBe(false);
    expect(dynamo.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({ ':token': 'token-1', ':round': 3 });
  });

  it('ends at once when a decision came in since the engine read the request', async () => {
    dynamo.on(UpdateCommand).resolves({ Attributes: { signals: 3 } });
    await expect(storeWaitToken('apr-1', 3, 2, 'token-1', countedAt, at(800))).resolves.toBe(true);
  });

  it('ends at once when the engine moved on to another round', async () => {
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'round changed', $metadata: {} }));
    await expect(storeWaitToken('apr-1', 3, 2, 'token-1', countedAt, at(800))).resolves.toBe(true);
  });

  it('ends at once, storing nothing, when it starts so late that its deadline would fire late (the clock moved 16 hours)', async () => {
    await expect(storeWaitToken('apr-1', 3, 2, 'token-1', countedAt, at(16 * 3600_000))).resolves.toBe(true);
    await expect(storeWaitToken('apr-1', 3, 2, 'token-1', countedAt, at(WAIT_DRIFT_LIMIT_MS + 1))).resolves.toBe(true);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
