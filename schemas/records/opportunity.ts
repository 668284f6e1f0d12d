import * as z from '../zod';
import { DateSchema, MoneySchema, NameSchema, TimestampSchema } from '../common';
import { defineRecord } from './define';
import { referenceTo } from '../references';

export const OpportunityStageSchema = z.enum([
  'prospecting', 'qualification', 'proposal', 'negotiation', 'closed-won', 'closed-lost',
]);
export const CLOSED_STAGES: readonly string[] = ['closed-won', 'closed-lost'];

export const Opportunities = defineRecord({
  type: 'OPPORTUNITY',
  plural: 'opportunities',
  owned: true,
  fields: () => ({
    accountId: referenceTo('ACCOUNT'),
    contactId: z.optional(referenceTo('CONTACT')),
    name: NameSchema,
    stage: OpportunityStageSchema,
    amount: MoneySchema,
    expectedCloseDate: DateSchema,
    probability: z.int().check(z.gte(0), z.lte(100)),
  }),
  serverFields: () => ({
    /** set by the server whenever the stage changes, so time per stage can be reported */
    stageEnteredAt: z.optional(TimestampSchema),
  }),
});
export type Opportunity = z.infer<typeof Opportunities.record>;
