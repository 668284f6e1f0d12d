import { Departments, type Department } from '../../schemas/records';
import { everyItemOf } from '../platform/table';

export interface MeasureDepartment {
  id: string;
  name: string;
  parentId?: string;
  managerUserId?: string;
}

/**
 * How long a function instance keeps the department tree. Departments change rarely; a department it
 * does not know yet makes the consumer read the tree again at once, so only a move to another parent
 * waits this long to show in the tree's figures.
 */
const KEEP_MS = 5 * 60_000;
let cached: { byId: Map<string, MeasureDepartment>; until: number } | undefined;

/** Every live department, by id: one Query of the byType index, kept per instance (KEEP_MS). */
export async function departmentTree(options: { fresh?: boolean } = {}): Promise<Map<string, MeasureDepartment>> {
  const now = Date.now();
  if (cached && cached.until > now && !options.fresh) return cached.byId;
  const byId = new Map((await everyItemOf<Department>(Departments.type)).map((d) => [d.id, {
    id: d.id,
    name: d.name,
    ...(d.parentId ? { parentId: d.parentId } : {}),
    ...(d.managerUserId ? { managerUserId: d.managerUserId } : {}),
  }]));
  cached = { byId, until: now + KEEP_MS };
  return byId;
}

/** A department and those above it, nearest first (a cycle or an unknown parent ends the walk). */
export function lineOf(departmentId: string, byId: ReadonlyMap<string, MeasureDepartment>): string[] {
  const line: string[] = [];
  for (let id: string | undefined = departmentId; id && !line.includes(id); id = byId.get(id)?.parentId) line.push(id);
  return line;
}
