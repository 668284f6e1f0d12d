import * as z from '../zod';
import { EmailSchema, LocaleSchema, NameSchema, RoleSchema, TimeZoneSchema } from '../common';
import { defineRecord } from './define';
import { referenceTo } from '../references';

export const AwayUntilSchema = z.union([z.iso.datetime({ offset: true }), z.iso.date()], 'must be an ISO date-time or a date YYYY-MM-DD');

export const Users = defineRecord({
  type: 'USER',
  plural: 'users',
  owned: false,
  unique: ['email'],
  fields: () => ({
    name: NameSchema,
    email: EmailSchema,
    roles: z.array(RoleSchema).check(z.minLength(1)),
    departmentId: referenceTo('DEPARTMENT'),
    timeZone: TimeZoneSchema,
    /** How mail to them writes money and times (e.g. en-GB, de-DE); without it, en-GB. */
    locale: z.optional(LocaleSchema),
    status: z.enum(['active', 'inactive']),
  }),
  // set with PUT /users/{id}/away (AwayBodySchema), which checks the delegate
  serverFields: () => ({
    /** Away until then (an ISO date-time, or a date: back at the start of that local day); new approval tasks go to delegateId. */
    awayUntil: z.optional(AwayUntilSchema),
    delegateId: z.optional(referenceTo('USER')),
  }),
});
export type User = z.infer<typeof Users.record>;

/** PUT /users/{id}/away: away until then, with a delegate for new approval tasks. */
export const AwayBodySchema = z.strictObject({
  /** null: back now */
  awayUntil: z.nullable(AwayUntilSchema),
  delegateId: z.optional(referenceTo('USER')),
});
