import * as z from '../zod';
import { ConsentSchema, EmailSchema, NameSchema, PhoneSchema, ShortTextSchema, TimeZoneSchema } from '../common';
import { defineRecord } from './define';
import { referenceTo } from '../references';

/** `nurtured`: its nurture ended without qualifying or converting it (the enrolment says why). */
export const LeadStatusSchema = z.enum(['new', 'nurturing', 'nurtured', 'qualified', 'converted', 'disqualified']);

export const Leads = defineRecord({
  type: 'LEAD',
  plural: 'leads',
  owned: true,
  fields: () => ({
    firstName: ShortTextSchema,
    lastName: ShortTextSchema,
    company: z.optional(NameSchema),
    email: z.optional(EmailSchema),
    phone: z.optional(PhoneSchema),
    source: z.enum(['web-form', 'event', 'import', 'partner', 'referral', 'call-centre']),
    interests: z.optional(z.array(ShortTextSchema).check(z.maxLength(50))),
    score: z.int().check(z.gte(0), z.lte(1_000_000)),
    status: LeadStatusSchema,
    region: z.optional(ShortTextSchema),
    timeZone: z.optional(TimeZoneSchema),
    marketingConsent: ConsentSchema,
    accountId: z.optional(referenceTo('ACCOUNT')),
    contactId: z.optional(referenceTo('CONTACT')),
    campaignId: z.optional(referenceTo('CAMPAIGN')),
  }),
});
export type Lead = z.infer<typeof Leads.record>;
