import * as z from '../zod';
import { NameSchema } from '../common';
import { defineRecord } from './define';
import { referenceTo } from '../references';

/** Departments form a tree: group > company > branch > office (> team). */
export const Departments = defineRecord({
  type: 'DEPARTMENT',
  plural: 'departments',
  owned: false,
  fields: () => ({
    name: NameSchema,
    kind: z.enum(['group', 'company', 'branch', 'office', 'team']),
    parentId: z.optional(referenceTo('DEPARTMENT')),
    managerUserId: z.optional(referenceTo('USER')),
  }),
});
export type Department = z.infer<typeof Departments.record>;
