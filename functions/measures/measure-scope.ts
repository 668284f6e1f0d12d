import { measureBucket, type MeasureBucket } from '../../schemas/keys';
import type { MeasureQuery } from '../../schemas/measures/tiles';
import { scopeOf } from '../platform/access';
import { forbidden } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { lineOf, type MeasureDepartment } from './departments';

export interface ScopeChoice {
  view: 'own' | 'department' | 'tree';
  departmentId?: string;
  label: string;
}

/**
 * Whose measures a caller may read, widest first: with `all` (ops, admin, marketing, finance) every
 * department's tree; a manager the tree of each department they manage and every department under it; a
 * rep their own department; everyone their own work.
 */
export function scopeChoices(principal: Principal, departments: ReadonlyMap<string, MeasureDepartment>): ScopeChoice[] {
  const all = scopeOf(principal, 'MEASURE', 'read') === 'all';
  const depth = (id: string) => lineOf(id, departments).length;
  const trees = [...departments.values()]
    .filter((d) => all || lineOf(d.id, departments).some((id) => departments.get(id)?.managerUserId === principal.userId))
    .sort((a, b) => depth(a.id) - depth(b.id) || a.name.localeCompare(b.name))
    .map((d): ScopeChoice => ({ view: 'tree', departmentId: d.id, label: `${d.name} (with the departments under it)` }));
  const own = departments.get(principal.departmentId);
  const ownDepartment: ScopeChoice[] = scopeOf(principal, 'MEASURE', 'read') !== 'none' && own
    ? [{ view: 'department', departmentId: own.id, label: own.name }]
    : [];
  return [...trees, ...ownDepartment, { view: 'own', label: 'My own work' }];
}

/** The bucket a tile query reads, if the caller may read it; 403 naming the field otherwise (unknown and not theirs alike). */
export function bucketFor(principal: Principal, query: Pick<MeasureQuery, 'view' | 'departmentId'>, choices: ScopeChoice[]): { choice: ScopeChoice; bucket: MeasureBucket } {
  // the widest match: a department named without a view is its tree when the caller has it, else the department alone
  const choice = choices.find((c) => (query.view === undefined || c.view === query.view) && (query.departmentId === undefined || c.departmentId === query.departmentId));
  if (!choice) {
    throw forbidden(query.departmentId !== undefined
      ? `departmentId names no department whose measures you may read (${query.departmentId})`
      : `view ${query.view ?? ''} is not one you may read; GET /measures/scopes lists yours`);
  }
  if (choice.view === 'own') return { choice, bucket: measureBucket.owner(principal.userId) };
  const departmentId = choice.departmentId ?? principal.departmentId;
  return { choice, bucket: choice.view === 'tree' ? measureBucket.tree(departmentId) : measureBucket.department(departmentId) };
}
