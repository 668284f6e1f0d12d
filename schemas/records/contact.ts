import * as z from '../zod';
import {
  ConsentSchema, DateSchema, EmailSchema, NameSchema, PhoneSchema, ShortTextSchema, TimeZoneSchema,
} from '../common';
import { defineRecord } from './define';
import { referenceTo } from '../references';

export const Contacts = defineRecord({
  type: 'CONTACT',
  plural: 'contacts',
  owned: true,
  fields: () => ({
    accountId: z.optional(referenceTo('ACCOUNT')),
    firstName: ShortTextSchema,
    lastName: ShortTextSchema,
    gender: z.optional(z.enum(['female', 'male', 'other', 'unspecified'])),
    department: z.optional(ShortTextSchema),
    title: z.optional(ShortTextSchema),
    managerContactId: z.optional(referenceTo('CONTACT')),
    officePhone: z.optional(PhoneSchema),
    mobilePhone: z.optional(PhoneSchema),
    email: z.optional(EmailSchema),
    birthday: z.optional(DateSchema),
    interests: z.optional(z.array(ShortTextSchema).check(z.maxLength(50))),
    timeZone: z.optional(TimeZoneSchema),
    marketingConsent: ConsentSchema,
    displayName: z.optional(NameSchema),
  }),
});
export type Contact = z.infer<typeof Contacts.record>;
