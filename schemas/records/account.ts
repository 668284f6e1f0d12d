import * as z from '../zod';
import { EmailSchema, LongTextSchema, MoneySchema, NameSchema, PhoneSchema, ShortTextSchema, UrlSchema } from '../common';
import { defineRecord } from './define';
import { referenceTo } from '../references';

export const ChannelTypeSchema = z.enum([
  'distributor',
  'key-account',
  'department-store',
  'franchise-store',
  'specialty-store',
  'retail-outlet',
  'consumer',
]);
export const AccountStatusSchema = z.enum(['prospect', 'active', 'inactive', 'blocked']);

export const Accounts = defineRecord({
  type: 'ACCOUNT',
  plural: 'accounts',
  owned: true,
  unique: ['code'],
  fields: () => ({
    code: z.string().check(z.regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'must be 2-32 capitals, digits or -')),
    name: NameSchema,
    channelType: ChannelTypeSchema,
    /** key accounts are the few that carry most revenue (the 80/20 rule) */
    tier: z.enum(['key', 'standard']),
    status: AccountStatusSchema,
    industry: z.optional(ShortTextSchema),
    region: ShortTextSchema,
    city: z.optional(ShortTextSchema),
    address: z.optional(z.string().check(z.maxLength(500))),
    phone: z.optional(PhoneSchema),
    email: z.optional(EmailSchema),
    website: z.optional(UrlSchema),
    creditRating: z.optional(z.enum(['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'C', 'D'])),
    creditLimit: z.optional(MoneySchema),
    parentAccountId: z.optional(referenceTo('ACCOUNT')),
    notes: z.optional(LongTextSchema),
  }),
});
export type Account = z.infer<typeof Accounts.record>;
