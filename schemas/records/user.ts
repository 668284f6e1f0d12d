import * as z from '../zod';
import { EmailSchema, IdSchema, NameSchema, RoleSchema, TimeZoneSchema } from '../common';
import { defineRecord } from './define';

export const Users = defineRecord({
  type: 'USER',
  plural: 'users',
  owned: false,
  references: { departmentId: 'DEPARTMENT' },
  unique: ['email'],
  fields: {
    name: NameSchema,
    email: EmailSchema,
    roles: z.array(RoleSchema).check(z.minLength(1)),
    departmentId: IdSchema,
    timeZone: TimeZoneSchema,
    status: z.enum(['active', 'inactive']),
  },
});
export type User = z.infer<typeof Users.record>;
