import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handoverKey, handoverPageKey, recordKey } from '../../schemas/keys';
import { moveHandoverPage, receiverOf } from '../../functions/records/handover';
import type { BookItem } from '../../functions/records/handover-kinds';

vi.hoisted(() => Object.assign(process.env, { TABLE_NAME: 'crm' }));
const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => { dynamo.reset(); });

const item = (kind: BookItem['kind'], id: string, extra: Partial<BookItem> = {}): BookItem => ({ kind, id, label: id, accountIds: [], ...extra });

describe('who gets an item of a split book', () => {
  const body = {
    fromUserId: 'u-leaver', toUserId: 'u-rest',
    split: [{ toUserId: 'u-key-accounts', accountIds: ['a-big'] }, { toUserId: 'u-south', regions: ['South'] }],
  };
  const regions = new Map([['a-big', 'North'], ['a-sevilla', 'South'], ['a-kiel', 'North']]);
  it('the first split that names the item\'s account or region; the rest to toUserId', () => {
    expect(receiverOf(item('account', 'a-big', { region: 'North', accountIds: ['a-big'] }), body, regions)).toBe('u-key-accounts');
    expect(receiverOf(item('account', 'a-sevilla', { region: 'South', accountIds: ['a-sevilla'] }), body, regions)).toBe('u-south');
    expect(receiverOf(item('lead', 'l-1', { region: 'South' }), body, regions)).toBe('u-south');
    expect(receiverOf(item('account', 'a-kiel', { region: 'North', accountIds: ['a-kiel'] }), body, regions)).toBe('u-rest');
    expect(receiverOf(item('approval-task', 'r-1/t-1'), body, regions)).toBe('u-rest');
  });
  it('an account\'s contacts and deals follow it, by its id or its region; a promotion by any account it names', () => {
    expect(receiverOf(item('contact', 'c-1', { accountIds: ['a-big'] }), body, regions)).toBe('u-key-accounts');
    expect(receiverOf(item('opportunity', 'o-1', { accountIds: ['a-sevilla'] }), body, regions)).toBe('u-south');
    expect(receiverOf(item('promotion', 'p-1', { region: 'North', accountIds: ['a-kiel', 'a-big'] }), body, regions)).toBe('u-key-accounts');
  });
});

describe('moving a page of a handover', () => {
  const NOW = '2026-12-05T10:00:00Z';
  const starter = { userId: 'u-ops', roles: ['ops'], departmentId: 'd-ops' };
  const leads = ['l-0', 'l-1', 'l-2'].map((id) => ({ kind: 'lead', id, label: id, toUserId: 'u-new' }));
  const given = (outcomes: Record<string, unknown>) => {
    dynamo.on(GetCommand, { Key: handoverKey('h-1') }).resolves({ Item: { ...handoverKey('h-1'), id: 'h-1', fromUserId: 'u-leaver', starter } });
    dynamo.on(GetCommand, { Key: handoverPageKey('h-1', 0) }).resolves({ Item: { ...handoverPageKey('h-1', 0), items: leads, outcomes } });
    dynamo.on(GetCommand, { Key: recordKey('USER', 'u-new') }).resolves({ Item: { id: 'u-new', status: 'active', departmentId: 'd-north', roles: ['sales'] } });
  };
  const transactions = () => dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);

  it('moves what has no outcome yet in one transaction with the marks, and leaves what an earlier attempt marked', async () => {
    given({ i0: { outcome: 'moved', at: NOW } });
    dynamo.on(TransactWriteCommand).resolves({});
    expect(await moveHandoverPage('h-1', 0, NOW)).toEqual({ page: 0, moved: 2, notMoved: 0 });
    const [writes] = transactions();
    expect(writes!.map((w) => w.Update!.Key)).toEqual([recordKey('LEAD', 'l-1'), recordKey('LEAD', 'l-2'), handoverPageKey('h-1', 0)]);
    expect(writes![0]!.Update).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND (ownerId = :from AND attribute_not_exists(deletedAt))',
      ExpressionAttributeValues: expect.objectContaining({ ':from': 'u-leaver' }),
    });
    const mark = writes![2]!.Update!;
    expect(mark.ConditionExpression).toBe('attribute_not_exists(outcomes.#i0) AND attribute_not_exists(outcomes.#i1)');
    expect(mark.ExpressionAttributeNames).toMatchObject({ '#i0': 'i1', '#i1': 'i2', '#counter': 'moved' });
    expect(mark.ExpressionAttributeValues).toMatchObject({ ':count': 2 });
  });

  it('tries each alone when one changed meanwhile: that one is marked not moved with why, the others move', async () => {
    given({});
    const cancelled = (failedAt: number, of: number) => Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException', CancellationReasons: Array.from({ length: of }, (_, i) => ({ Code: i === failedAt ? 'ConditionalCheckFailed' : 'None' })),
    });
    dynamo.on(TransactWriteCommand)
      .rejectsOnce(cancelled(1, 4)) // the batch: l-1 is no longer the leaver's
      .resolvesOnce({}) // l-0 alone
      .rejectsOnce(cancelled(0, 2)) // l-1 alone
      .resolves({}); // l-1's mark alone, then l-2 alone
    dynamo.on(GetCommand).callsFake((input) => {
      if (input.Key.sk === 'HANDOVER') return { Item: { id: 'h-1', fromUserId: 'u-leaver', starter } };
      if (input.Key.sk?.startsWith('PAGE#')) return { Item: { items: leads, outcomes: {} } };
      return { Item: { id: 'u-new', status: 'active', departmentId: 'd-north', roles: ['sales'] } };
    });
    expect(await moveHandoverPage('h-1', 0, NOW)).toEqual({ page: 0, moved: 2, notMoved: 1 });
    // the mark of l-1 alone says why
    const marks = transactions().filter((writes) => writes.length === 1).map(([write]) => write!.Update);
    expect(marks).toHaveLength(1);
    expect(marks[0]).toMatchObject({
      Key: handoverPageKey('h-1', 0),
      ExpressionAttributeNames: { '#i0': 'i1', '#counter': 'notMoved' },
      ExpressionAttributeValues: { ':outcome': { outcome: 'not-moved', reason: "is no longer u-leaver's (deleted or handed to someone else meanwhile)", at: NOW } },
    });
  });
});
