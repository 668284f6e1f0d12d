import * as z from '../zod';
import { IdSchema, MoneySchema, TimestampSchema } from '../common';
import { ActivityTypeSchema } from '../records/activity';
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

export const RecordChanged = defineEvent({
  source: SOURCES.records,
  detailType: 'Record.Changed',
  direction: 'internal',
  description: 'A CRM record was created, changed or (soft) deleted; published from the table\'s stream. changedBy names the part of the CRM that made the change when it was not a person (nurture: the nurture engine), so that a consumer can leave out its own changes.',
  producers: ['function records/publish-record-changes (table stream)'],
  consumers: ['nurture router (leads, but not the engine\'s own changes)', 'value-transition triggers (planned)', 'other systems'],
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
  }),
});
