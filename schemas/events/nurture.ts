import * as z from '../zod';
import { IdSchema, TimestampSchema } from '../common';
import { ExitReasonSchema } from '../nurture/exit-reasons';
import { defineEvent } from './define';
import { SOURCES } from './sources';

/* The nurture engine's events: what other parts of the CRM and other systems may follow. */

const enrolment = {
  enrolmentId: IdSchema,
  sequenceId: IdSchema,
  sequenceVersion: z.int(),
  leadId: IdSchema,
};

export const LeadEnrolled = defineEvent({
  source: SOURCES.nurture,
  detailType: 'Lead.Enrolled',
  direction: 'internal',
  description: 'A lead entered a nurture sequence (one execution of the nurture engine per enrolment).',
  producers: ['function nurture/route-nurture-events'],
  consumers: ['other systems'],
  detail: () => z.strictObject({ ...enrolment, enrolledAt: TimestampSchema }),
});

export const LeadExitedSequence = defineEvent({
  source: SOURCES.nurture,
  detailType: 'Lead.ExitedSequence',
  direction: 'internal',
  description: 'An enrolment ended before its last step: the lead converted, unsubscribed, bounced, complained or matched the exit condition.',
  producers: ['functions nurture/*'],
  consumers: ['other systems'],
  detail: () => z.strictObject({ ...enrolment, reason: ExitReasonSchema, exitedAt: TimestampSchema }),
});

export const LeadQualified = defineEvent({
  source: SOURCES.nurture,
  detailType: 'Lead.Qualified',
  direction: 'internal',
  description: 'A lead\'s score crossed the sequence\'s MQL threshold: it is qualified and handed to its owner.',
  producers: ['functions nurture/*'],
  consumers: ['sales (the owner is notified)', 'other systems'],
  detail: () => z.strictObject({
    leadId: IdSchema, ownerId: IdSchema, score: z.int(), threshold: z.int(), sequenceId: IdSchema,
    opportunityId: z.optional(IdSchema), qualifiedAt: TimestampSchema,
  }),
});

export const LeadConverted = defineEvent({
  source: SOURCES.nurture,
  detailType: 'Lead.Converted',
  direction: 'internal',
  description: 'A nurtured lead converted; the conversion is attributed to the sequence and its campaign.',
  producers: ['function nurture/route-nurture-events'],
  consumers: ['campaign settlement (conversions per campaign)', 'other systems'],
  detail: () => z.strictObject({ leadId: IdSchema, sequenceId: IdSchema, campaignId: z.optional(IdSchema), convertedAt: TimestampSchema }),
});

export const LeadUnsubscribed = defineEvent({
  source: SOURCES.nurture,
  detailType: 'Lead.Unsubscribed',
  direction: 'internal',
  description: 'Someone used the one-click unsubscribe link: their address is suppressed and every enrolment stopped.',
  producers: ['POST /unsubscribe/{token}'],
  consumers: ['other systems'],
  detail: () => z.strictObject({ leadId: IdSchema, unsubscribedAt: TimestampSchema }),
});
