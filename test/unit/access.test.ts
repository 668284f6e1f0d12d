import { describe, expect, it } from 'vitest';
import { assertCan, scopeOf } from '../../functions/platform/access';
import type { Principal } from '../../functions/platform/principal';

const sales: Principal = { userId: 'u-sales', roles: ['sales'], departmentId: 'd-north' };
const account = (ownerId: string, departmentId: string) => ({ ownerId, departmentId });

describe('record-level access', () => {
  it('lets a sales rep read their department and change only what they own', () => {
    expect(() => assertCan(sales, 'read', 'ACCOUNT', account('u-colleague', 'd-north'))).not.toThrow();
    expect(() => assertCan(sales, 'write', 'ACCOUNT', account('u-colleague', 'd-north'))).toThrow(/only records they own/);
    expect(() => assertCan(sales, 'write', 'ACCOUNT', account('u-sales', 'd-north'))).not.toThrow();
    expect(() => assertCan(sales, 'read', 'ACCOUNT', account('u-other', 'd-south'))).toThrow(/department d-south/);
  });

  it('gives a user with several roles the widest scope of any of them', () => {
    const both: Principal = { ...sales, roles: ['sales', 'marketing'] };
    expect(scopeOf(both, 'LEAD', 'write')).toBe('all');
    expect(scopeOf(sales, 'LEAD', 'write')).toBe('own');
  });

  it('keeps leads from finance and the directory in admin hands', () => {
    const finance: Principal = { userId: 'u-finance', roles: ['finance'], departmentId: 'd-finance' };
    expect(() => assertCan(finance, 'read', 'LEAD', account('u-x', 'd-finance'))).toThrow(/may not read lead records/);
    expect(scopeOf(finance, 'USER', 'read')).toBe('all');
    expect(scopeOf(finance, 'USER', 'write')).toBe('none');
    expect(scopeOf({ ...finance, roles: ['admin'] }, 'USER', 'write')).toBe('all');
  });

  it('denies record types it does not know', () => {
    expect(scopeOf({ ...sales, roles: ['admin'] }, 'INVOICE', 'read')).toBe('none');
  });
});
