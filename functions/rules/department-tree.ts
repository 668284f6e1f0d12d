/**
 * The department tree's managers: who a person's manager is, and who is above them. Pure: the caller
 * hands in how to find a department (the approval engine's directory snapshot, the ticket engine's).
 */

export interface TreeDepartment {
  id: string;
  parentId?: string;
  managerUserId?: string;
}

/** Department trees deeper than this are treated as broken (a cycle the visited set did not catch). */
export const MAX_TREE_DEPTH = 64;

export interface ManagersUp {
  /** nearest first, each once */
  managers: string[];
  /** the walk stopped at a department nobody knows */
  unknownDepartment?: string;
  /** the walk stopped because the tree loops here */
  loopsAt?: string;
}

/** The managers of `from` and its parents up to the top, nearest first, skipping `passOver` and departments without one. */
export function managersUp(from: string, getDepartment: (id: string) => TreeDepartment | undefined, passOver: ReadonlySet<string>): ManagersUp {
  const managers: string[] = [];
  const visited = new Set<string>();
  let departmentId: string | undefined = from;
  while (departmentId !== undefined && !visited.has(departmentId) && visited.size < MAX_TREE_DEPTH) {
    visited.add(departmentId);
    const department = getDepartment(departmentId);
    if (!department) return { managers, unknownDepartment: departmentId };
    if (department.managerUserId !== undefined && !passOver.has(department.managerUserId) && !managers.includes(department.managerUserId)) {
      managers.push(department.managerUserId);
    }
    departmentId = department.parentId;
  }
  return departmentId === undefined ? { managers } : { managers, loopsAt: departmentId };
}
