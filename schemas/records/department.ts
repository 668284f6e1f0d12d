import * as z from '../zod';
import { IdSchema, NameSchema } from '../common';
import { defineRecord } from './define';

/** Departments form a tree: group > company > branch > office (> team). */
export const Departments = defineRecord({
  type: 'DEPARTMENT',
  plural: 'departments',
  owned: false,
  references: { parentId: 'DEPARTMENT', managerUserId: 'USER' },
  fields: () => ({
    name: NameSchema,
    kind: z.enum(['group', 'company', 'branch', 'office', 'team']),
    parentId: z.optional(IdSchema),
    managerUserId: z.optional(IdSchema),
  }),
});
export type Department = z.infer<typeof Departments.record>;
