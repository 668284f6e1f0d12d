import * as z from '../zod';
import { IdSchema, MoneySchema, TimestampSchema } from '../common';
import { ActivityTypeSchema } from '../records/activity';
import { OpportunityStageSchema } from '../records/opportunity';
import { PromotionMoneySchema } from '../promotions/records';
import { defineEvent } from './define';
import { SOURCES } from './sources';

export const ActivityRecorded = defineEvent({
  source: SOURCES.activities,
  detailType: 'Activity.Recorded',
  direction: 'internal',
  description: 'An activity from another system (an ERP order or payment) was put on an account\'s timeline.',
  producers: ['workflow record-erp-activity'],
  consumers: ['other systems (the bus is theirs to subscribe to)'],
  detail: () => z.strictObject({
    activityId: IdSchema,
    type: ActivityTypeSchema,
    accountId: IdSchema,
    occurredAt: TimestampSchema,
    amount: z.optional(MoneySchema),
    origin: z.strictObject({ source: z.string(), detailType: z.string(), eventId: z.string() }),
  }),
});

/** Record.Changed's changedBy for the nurture engine's own writes. */
export const NURTURE_ENGINE_WRITER = 'nurture';

/**
 * What the measures read of a record in a change (functions/measures): its state, when it entered it,
 * what it links to and its money, as the record held them. Only the fields a record has are present.
 */
export const RecordFactsSchema = z.strictObject({
  createdAt: z.optional(TimestampSchema),
  updatedAt: z.optional(TimestampSchema),
  /** what people call it (a name, or a person's first and last name) */
  name: z.optional(z.string()),
  stage: z.optional(OpportunityStageSchema),
  stageEnteredAt: z.optional(TimestampSchema),
  status: z.optional(z.string()),
  /** an activity's type and time */
  type: z.optional(ActivityTypeSchema),
  occurredAt: z.optional(TimestampSchema),
  accountId: z.optional(IdSchema),
  leadId: z.optional(IdSchema),
  opportunityId: z.optional(IdSchema),
  campaignId: z.optional(IdSchema),
  fundId: z.optional(IdSchema),
  amount: z.optional(MoneySchema),
  money: z.optional(PromotionMoneySchema),
});
export type RecordFacts = z.infer<typeof RecordFactsSchema>;

export const RecordChanged = defineEvent({
  source: SOURCES.records,
  detailType: 'Record.Changed',
  direction: 'internal',
  description: 'A CRM record was created, changed or (soft) deleted; published from the table\'s stream. changedBy names the part of the CRM that made the change when it was not a person (nurture: the nurture engine), so that a consumer can leave out its own changes.',
  producers: ['function records/publish-record-changes (table stream)'],
  consumers: ['nurture router (leads, but not the engine\'s own changes)', 'measures (opportunities, leads, activities, promotions)', 'value-transition triggers (planned)', 'other systems'],
  detail: () => z.strictObject({
    recordType: z.string(),
    id: IdSchema,
    change: z.enum(['created', 'updated', 'deleted']),
    version: z.int(),
    changedFields: z.array(z.string()),
    ownerId: z.optional(IdSchema),
    departmentId: z.optional(IdSchema),
    /** the engine's own writes (a lead it created from a capture or moved to nurturing) say `nurture` */
    changedBy: z.optional(z.string()),
    /** the record's facts after the change (before it, for a delete) and before it (absent on create) */
    facts: z.optional(RecordFactsSchema),
    previous: z.optional(RecordFactsSchema),
  }),
});
