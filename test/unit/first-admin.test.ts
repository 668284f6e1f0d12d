import { describe, expect, it } from 'vitest';
import { firstAdminWrites } from '../../infra/first-admin';
import { principalOf } from '../../functions/platform/principal';

const admin = { id: 'anna', email: 'Anna@Example.com', name: 'Anna Admin', departmentId: 'd-company', departmentName: 'Example Foods GmbH', timeZone: 'Europe/Berlin' };

describe("a deployment's first admin", () => {
  it('is a user record the API lets in as admin, in a company they manage, with their e-mail held', () => {
    const writes = firstAdminWrites('crm', admin, '2027-01-04T09:00:00.000Z');
    expect(writes.every((w) => w.Put.TableName === 'crm' && w.Put.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
    const [department, user, email] = writes.map((w) => w.Put.Item);
    expect(department).toMatchObject({ pk: 'DEPARTMENT#d-company', sk: 'RECORD', kind: 'company', managerUserId: 'anna' });
    expect(principalOf('anna', user)).toEqual({ userId: 'anna', roles: ['admin'], departmentId: 'd-company', email: 'Anna@Example.com' });
    expect(email).toEqual({ pk: 'UNIQUE#USER#email#anna@example.com', sk: 'UNIQUE', owner: 'USER#anna' });
  });

  it('is refused when a field would break the user schema', () => {
    expect(() => firstAdminWrites('crm', { ...admin, email: 'not-an-email' }, '2027-01-04T09:00:00.000Z')).toThrow(/email/i);
  });
});
