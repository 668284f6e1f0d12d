import * as z from '../zod';
import { LongTextSchema, MoneySchema, NameSchema, TimestampSchema } from '../common';
import { defineRecord } from './define';
import { referenceTo } from '../references';

export const ActivityTypeSchema = z.enum([
  'call', 'visit', 'meeting', 'note', 'task', 'mail-sent', 'mail-opened', 'mail-clicked', 'order', 'payment', 'ticket',
]);

export const Activities = defineRecord({
  type: 'ACTIVITY',
  plural: 'activities',
  owned: true,
  fields: () => ({
    type: ActivityTypeSchema,
    subject: NameSchema,
    body: z.optional(LongTextSchema),
    occurredAt: TimestampSchema,
    accountId: z.optional(referenceTo('ACCOUNT')),
    contactId: z.optional(referenceTo('CONTACT')),
    leadId: z.optional(referenceTo('LEAD')),
    opportunityId: z.optional(referenceTo('OPPORTUNITY')),
    amount: z.optional(MoneySchema),
  }),
});
export type Activity = z.infer<typeof Activities.record>;
