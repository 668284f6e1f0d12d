import { ROLES, type Role } from '../../schemas/common';
import { forbidden } from './errors';
import type { Principal } from './principal';

/**
 * Record-level authorization. For each record type and role: which records the role may read and
 * change. `own`: records the user owns; `department`: records of the user's department; `all`.
 * A user with several roles gets the widest scope any of them grants.
 */
export type Scope = 'none' | 'own' | 'department' | 'all';
type Rule = { read: Scope; write: Scope };

const customerRecord: Record<Role, Rule> = {
  admin: { read: 'all', write: 'all' },
  ops: { read: 'all', write: 'all' },
  marketing: { read: 'all', write: 'none' },
  finance: { read: 'all', write: 'none' },
  sales: { read: 'department', write: 'own' },
  // customer care reads the customer to help them, and changes nothing of it
  service: { read: 'all', write: 'none' },
};
const directory = (writers: Role[]): Record<Role, Rule> =>
  Object.fromEntries(
    ROLES.map((role) => [
      role,
      { read: 'all', write: writers.includes(role) ? 'all' : 'none' },
    ]),
  ) as Record<Role, Rule>;

const RULES: Record<string, Record<Role, Rule>> = {
  ACCOUNT: customerRecord,
  OPPORTUNITY: customerRecord,
  CONTACT: { ...customerRecord, marketing: { read: 'all', write: 'all' } },
  LEAD: { ...customerRecord, marketing: { read: 'all', write: 'all' }, finance: { read: 'none', write: 'none' }, service: { read: 'none', write: 'none' } },
  ACTIVITY: { ...customerRecord, marketing: { read: 'all', write: 'own' }, finance: { read: 'all', write: 'own' }, service: { read: 'all', write: 'own' } },
  PRODUCT: directory(['admin', 'ops']),
  USER: directory(['admin']),
  DEPARTMENT: directory(['admin']),
  // trade promotions: finance controls funds; marketing runs campaigns; sales apply for
  // promotions and claim them (own records, department visible); approvals go through the engine
  FUND: { ...directory(['admin']), finance: { read: 'all', write: 'all' }, sales: { read: 'department', write: 'none' }, service: { read: 'none', write: 'none' } },
  CAMPAIGN: { ...directory(['admin']), marketing: { read: 'all', write: 'all' } },
  PROMOTION: { ...customerRecord, marketing: { read: 'all', write: 'all' }, service: { read: 'none', write: 'none' } },
  CLAIM: { ...customerRecord, marketing: { read: 'all', write: 'none' }, service: { read: 'none', write: 'none' } },
  // service tickets belong to the team that works them: its agents read and work all of the team's
  // (a ticket waits for whoever takes it); sales reps read those of their own department, like accounts
  TICKET: { ...customerRecord, sales: { read: 'department', write: 'none' }, service: { read: 'department', write: 'department' } },
  // the measures' aggregates (functions/measures): a rep or an agent reads their own and their
  // department's (team's); the department trees a user manages are added by the measures domain (it reads the tree)
  MEASURE: { ...directory([]), sales: { read: 'department', write: 'none' }, service: { read: 'department', write: 'none' } },
};

const WIDTH: Record<Scope, number> = { none: 0, own: 1, department: 2, all: 3 };

export function scopeOf(principal: Principal, type: string, action: keyof Rule): Scope {
  const rules = RULES[type];
  if (!rules) return 'none';
  return principal.roles
    .map((role) => rules[role][action])
    .reduce<Scope>((widest, scope) => (WIDTH[scope] > WIDTH[widest] ? scope : widest), 'none');
}

/** What access reads of a record: its owner and department, when it has them (a stored item, a typed record). */
export interface Ownable {
  readonly ownerId?: unknown;
  readonly departmentId?: unknown;
}

/** Whether a scope covers one record; records without an owner (products, users) need `all`. */
export function covers(scope: Scope, principal: Principal, record: Ownable): boolean {
  switch (scope) {
    case 'all':
      return true;
    case 'department':
      return record.departmentId === principal.departmentId;
    case 'own':
      return record.ownerId === principal.userId && record.departmentId === principal.departmentId;
    default:
      return false;
  }
}

const describe = (scope: Scope) =>
  scope === 'own' ? 'records they own' : scope === 'department' ? "their department's records" : 'none';

/** Throws 403 naming what is missing: the role's scope and what the record would need. */
export function assertCan(principal: Principal, action: keyof Rule, type: string, record: Ownable, id?: string) {
  const scope = scopeOf(principal, type, action);
  if (covers(scope, principal, record)) return;
  const what = `${type.toLowerCase()}${id ? ` ${id}` : ''}`;
  const roles = principal.roles.join(', ');
  if (scope === 'none') throw forbidden(`role ${roles} may not ${action} ${type.toLowerCase()} records`);
  throw forbidden(
    `role ${roles} may ${action} only ${describe(scope)}; ${what} is owned by ${typeof record.ownerId === 'string' ? record.ownerId : 'nobody'} ` +
      `in department ${typeof record.departmentId === 'string' ? record.departmentId : 'none'} (you: ${principal.userId} in ${principal.departmentId})`,
  );
}
