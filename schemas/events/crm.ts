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

export const RecordChanged = defineEvent({
  source: SOURCES.records,
  detailType: 'Record.Changed',
  direction: 'internal',
  description: 'A CRM record was created, changed or (soft) deleted; published from the table\'s stream.',
  producers: ['function records/publish-record-changes (table stream)'],
  consumers: ['value-transition triggers (planned)', 'other systems'],
  detail: () => z.strictObject({
    recordType: z.string(),
    id: IdSchema,
    change: z.enum(['created', 'updated', 'deleted']),
    version: z.int(),
    changedFields: z.array(z.string()),
    ownerId: z.optional(IdSchema),
    departmentId: z.optional(IdSchema),
  }),
});
