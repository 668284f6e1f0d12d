import * as z from '../zod';
import { IdSchema, LongTextSchema, MoneySchema, NameSchema, TimestampSchema } from '../common';
import { defineRecord } from './define';

export const ActivityTypeSchema = z.enum([
  'call', 'visit', 'meeting', 'note', 'task', 'mail-sent', 'mail-opened', 'mail-clicked', 'order', 'payment', 'ticket',
]);

export const Activities = defineRecord({
  type: 'ACTIVITY',
  plural: 'activities',
  owned: true,
  references: { accountId: 'ACCOUNT', contactId: 'CONTACT', leadId: 'LEAD', opportunityId: 'OPPORTUNITY' },
  fields: () => ({
    type: ActivityTypeSchema,
    subject: NameSchema,
    body: z.optional(LongTextSchema),
    occurredAt: TimestampSchema,
    accountId: z.optional(IdSchema),
    contactId: z.optional(IdSchema),
    leadId: z.optional(IdSchema),
    opportunityId: z.optional(IdSchema),
    amount: z.optional(MoneySchema),
  }),
});
export type Activity = z.infer<typeof Activities.record>;
