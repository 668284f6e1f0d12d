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
      facts: { name: 'Acme', status: 'active', updatedAt: '2026-02-01T00:00:00Z' },
      previous: { name: 'Acme', status: 'prospect', updatedAt: '2026-01-01T00:00:00Z' },
    });
  });

  it('carries what the measures need: an opportunity\'s stage and when it entered it, before and after the change', () => {
    const deal = { id: 'o1', version: 1, accountId: 'a1', name: 'Shelf', stage: 'qualification', stageEnteredAt: '2026-01-02T00:00:00Z', amount: { amountMinor: 100, currency: 'EUR' },
      ownerId: 'u-1', departmentId: 'd-1', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z' };
    const moved = { ...deal, version: 2, stage: 'proposal', stageEnteredAt: '2026-01-09T00:00:00Z', updatedAt: '2026-01-09T00:00:00Z' };
    const detail = recordChangeOf(streamRecord('MODIFY', itemFor('OPPORTUNITY', deal), itemFor('OPPORTUNITY', moved)));
    expect(detail?.facts).toMatchObject({ stage: 'proposal', stageEnteredAt: '2026-01-09T00:00:00Z', createdAt: '2026-01-01T00:00:00Z', accountId: 'a1' });
    expect(detail?.previous).toMatchObject({ stage: 'qualification', stageEnteredAt: '2026-01-02T00:00:00Z' });
    // facts that do not hold to their schema are left out, not the change
    const odd = recordChangeOf(streamRecord('MODIFY', itemFor('OPPORTUNITY', deal), itemFor('OPPORTUNITY', { ...moved, stage: 'dreaming' })));
    expect(odd).toMatchObject({ id: 'o1', changedFields: expect.arrayContaining(['stage']) });
    expect(odd).not.toHaveProperty('facts');
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
