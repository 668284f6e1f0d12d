import { describe, expect, it } from 'vitest';
import { ACCOUNT_COLLECTION, itemFor } from '../../schemas/keys';

describe('single-table keys', () => {
  it('put an account, its contacts, open deals and activities in one collection, in 360 order', () => {
    const account = itemFor('ACCOUNT', { id: 'a1', code: 'A1', ownerId: 'u', departmentId: 'd', status: 'active', region: 'North' });
    const contact = itemFor('CONTACT', { id: 'c1', accountId: 'a1', ownerId: 'u', departmentId: 'd' });
    const open = itemFor('OPPORTUNITY', { id: 'o1', accountId: 'a1', stage: 'proposal', ownerId: 'u', departmentId: 'd' });
    const closed = itemFor('OPPORTUNITY', { id: 'o2', accountId: 'a1', stage: 'closed-won', ownerId: 'u', departmentId: 'd' });
    const older = itemFor('ACTIVITY', { id: 't1', accountId: 'a1', occurredAt: '2026-01-01T00:00:00Z', ownerId: 'u', departmentId: 'd' });
    const newer = itemFor('ACTIVITY', { id: 't2', accountId: 'a1', occurredAt: '2026-06-01T00:00:00Z', ownerId: 'u', departmentId: 'd' });
    const items = [closed, older, contact, newer, account, open];
    expect(new Set(items.map((i) => i.byCollectionPk))).toEqual(new Set(['ACCOUNT#a1']));
    const descending = items
      .filter((i) => String(i.byCollectionSk) >= ACCOUNT_COLLECTION.shownFrom)
      .sort((a, b) => String(b.byCollectionSk).localeCompare(String(a.byCollectionSk)))
      .map((i) => i.id);
    expect(descending).toEqual(['a1', 'c1', 'o1', 't2', 't1']);
  });

  it('leave a record out of an index whose field it lacks', () => {
    const lead = itemFor('LEAD', { id: 'l1', status: 'new', ownerId: 'u', departmentId: 'd' });
    expect(lead.byRegionPk).toBeUndefined();
    expect(lead.byCollectionPk).toBeUndefined();
    expect(lead.byStatusPk).toBe('LEAD#STATUS#new');
  });
});
