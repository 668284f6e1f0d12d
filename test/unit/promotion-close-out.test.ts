import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeOutPromotion } from '../../functions/promotions/promotion-requests';

vi.hoisted(() => Object.assign(process.env, { TABLE_NAME: 'crm' }));
const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

const NOW = '2026-12-06T10:00:00Z';
const rep = { userId: 'u-sales', roles: ['sales' as const], departmentId: 'd-north' };
/** an ended promotion as the lifecycle leaves it: first without, then with its close-out task's token */
const ended = (version: number, token?: string) => ({
  pk: 'RECORD#PROMOTION#p-1', sk: 'RECORD', recordType: 'PROMOTION', id: 'p-1', name: 'Summer water', status: 'ended', version,
  ownerId: 'u-sales', departmentId: 'd-north', fundId: 'f-1', endsAt: '2026-11-30T23:59:59Z',
  money: { currency: 'EUR', budgetMinor: 100_000, reservedMinor: 0, claimableMinor: 100_000, claimedMinor: 0, releasedMinor: 0 },
  ...(token ? { closeOutTaskToken: token } : {}),
});
const cancelled = () => Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] });

describe("a rep's close-out", () => {
  it("sent as the lifecycle stores its close-out task's token, is read again and completes that task instead of answering 409", async () => {
    dynamo.on(GetCommand).resolvesOnce({ Item: ended(5) }).resolves({ Item: ended(6, 'token-1') });
    dynamo.on(TransactWriteCommand).rejectsOnce(cancelled()).resolves({});
    const completed: string[] = [];
    await closeOutPromotion(rep, 'p-1', { actuals: [], evidenceRefs: ['PHOTO-1'] }, NOW, async (token) => { completed.push(token); });
    const writes = dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems![0]!.Update!.ExpressionAttributeValues![':version']);
    expect(writes).toEqual([5, 6]);
    expect(completed).toEqual(['token-1']);
  });

  it('gives up after a few changes in a row with a 409 that says to read it again', async () => {
    dynamo.on(GetCommand).resolves({ Item: ended(5) });
    dynamo.on(TransactWriteCommand).rejects(cancelled());
    await expect(closeOutPromotion(rep, 'p-1', { actuals: [], evidenceRefs: ['PHOTO-1'] }, NOW, async () => {}))
      .rejects.toMatchObject({ kind: 'conflict', message: 'promotion p-1 changed while it was being closed out; read it again' });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(3);
  });
});
