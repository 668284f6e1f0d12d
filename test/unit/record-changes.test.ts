import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { recordChangeOf } from '../../functions/records/record-changes';
import { itemFor } from '../../schemas/keys';

const account = { id: 'a1', version: 1, code: 'A1', name: 'Acme', status: 'prospect', ownerId: 'u-1', departmentId: 'd-1', updatedAt: '2026-01-01T00:00:00Z' };
const streamRecord = (eventName: DynamoDBRecord['eventName'], before?: object, after?: object): DynamoDBRecord => ({
  eventName,
  dynamodb: {
    ...(before ? { OldImage: marshall(before) as never } : {}),
    ...(after ? { NewImage: marshall(after) as never } : {}),
  },
});

describe('record changes from the table stream', () => {
  it('names the fields a change touched, not the bookkeeping', () => {
    const before = itemFor('ACCOUNT', account);
    const after = itemFor('ACCOUNT', { ...account, version: 2, status: 'active', city: 'Kiel', updatedAt: '2026-02-01T00:00:00Z' });
    expect(recordChangeOf(streamRecord('MODIFY', before, after))).toEqual({
      recordType: 'ACCOUNT', id: 'a1', change: 'updated', version: 2, changedFields: ['city', 'status'], ownerId: 'u-1', departmentId: 'd-1',
    });
  });

  it('calls a soft delete a deletion and a new item a creation', () => {
    const live = itemFor('ACCOUNT', account);
    expect(recordChangeOf(streamRecord('INSERT', undefined, live))?.change).toBe('created');
    expect(recordChangeOf(streamRecord('MODIFY', live, { ...live, version: 2, deletedAt: '2026-03-01T00:00:00Z' }))?.change).toBe('deleted');
  });

  it('names the engine as the writer of the version it wrote, and nobody for a later change by someone else', () => {
    const lead = { ...account, id: 'l1', status: 'new' };
    const byEngine = itemFor('LEAD', { ...lead, version: 2, status: 'nurturing', changedBy: 'nurture', changedByVersion: 2 });
    const engineChange = recordChangeOf(streamRecord('MODIFY', itemFor('LEAD', lead), byEngine));
    expect(engineChange).toMatchObject({ change: 'updated', changedBy: 'nurture', changedFields: ['status'] });
    // a later write that kept the attributes is not the engine's
    const byPerson = { ...byEngine, version: 3, status: 'converted' };
    expect(recordChangeOf(streamRecord('MODIFY', byEngine, byPerson))).not.toHaveProperty('changedBy');
  });

  it('ignores items that are not records (receipts, unique values)', () => {
    expect(recordChangeOf(streamRecord('INSERT', undefined, { pk: 'INBOUND#erp#k', sk: 'RECEIPT', status: 'pending' }))).toBeUndefined();
  });
});
