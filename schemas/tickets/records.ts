import * as z from '../zod';
import { EmailSchema, IdSchema, LongTextSchema, NameSchema, TimestampSchema, TimeZoneSchema } from '../common';
import { BusinessCalendarSchema } from '../calendar';
import { lazy } from '../lazy';
import { defineRecord } from '../records/define';
import { referenceTo } from '../references';

/*
 * Service tickets with SLAs (DOMAIN.md "Service ticket"). A ticket is an owned record: its owner is the
 * assignee and its department the team that works it, so the record-level rules, the owner's and the
 * department's lists and the department tree work for tickets as for every other record.
 *
 * SLA policies are data, one per team (like approval policies): per priority, optionally per category,
 * a first-response and a resolution target in working minutes on the team's calendar and zone, a reminder
 * before each breach, escalation at the breach to the assignee's manager and then, every
 * `escalateEveryMinutes` of working time, to the next manager up the department tree. The SLA clock stops
 * while the ticket waits on the customer (functions/rules/sla-clock.ts).
 */

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TicketPrioritySchema = z.enum(TICKET_PRIORITIES);
export type TicketPriority = z.infer<typeof TicketPrioritySchema>;
export const TICKET_CATEGORIES = ['complaint', 'request', 'question', 'delivery', 'billing', 'other'] as const;
export const TicketCategorySchema = z.enum(TICKET_CATEGORIES);

/** open: being worked; waiting-on-customer: the SLA clock is stopped; resolved: solved, may be reopened; closed: surveyed. */
export const TICKET_STATUSES = ['open', 'waiting-on-customer', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** The statuses a team's queue shows. */
export const UNFINISHED_TICKET_STATUSES: readonly TicketStatus[] = ['open', 'waiting-on-customer'];

export const SLA_TARGETS = ['first-response', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];

const WorkingMinutesSchema = z.int().check(z.gte(1, 'must be at least 1 working minute'), z.lte(60 * 24 * 365, 'must be at most a year of minutes'));

export const SlaTargetsSchema = z.strictObject({
  priority: TicketPrioritySchema,
  /** absent: any category without its own entry */
  category: z.optional(TicketCategorySchema),
  firstResponseMinutes: WorkingMinutesSchema,
  resolutionMinutes: WorkingMinutesSchema,
});

/** PUT /tickets/sla-policies/{teamId}: what ops write. */
export const SlaPolicyBodySchema = z.strictObject({
  name: NameSchema,
  /** the zone the team's calendar is read in */
  timeZone: TimeZoneSchema,
  calendar: BusinessCalendarSchema,
  targets: z.array(SlaTargetsSchema).check(
    z.minLength(1),
    z.maxLength(100),
    z.superRefine((targets, ctx) => {
      const seen = new Set<string>();
      targets.forEach((t, i) => {
        const key = `${t.priority}/${t.category ?? '*'}`;
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], input: t, message: `lists priority ${t.priority}${t.category ? ` and category ${t.category}` : ' without a category'} twice` });
        seen.add(key);
        if (t.resolutionMinutes < t.firstResponseMinutes) {
          ctx.addIssue({ code: 'custom', path: [i, 'resolutionMinutes'], input: t.resolutionMinutes, message: 'must not be shorter than firstResponseMinutes' });
        }
      });
      for (const priority of TICKET_PRIORITIES) {
        if (!targets.some((t) => t.priority === priority && t.category === undefined)) {
          ctx.addIssue({ code: 'custom', input: targets, message: `needs an entry for priority ${priority} without a category (the default for it)` });
        }
      }
    }),
  ),
  /** working minutes before a breach at which the assignee is reminded */
  remindBeforeMinutes: WorkingMinutesSchema,
  /** working minutes after a breach (and after each escalation) before it goes one manager further up */
  escalateEveryMinutes: WorkingMinutesSchema,
  /** a resolved or closed ticket may be reopened this many days after, which restarts its SLA */
  reopenWithinDays: z.int().check(z.gte(0), z.lte(365)),
  /** the team that receives tickets which name none (the call centre's); at most one should say so */
  intake: z.optional(z.boolean()),
});
export type SlaPolicyBody = z.infer<typeof SlaPolicyBodySchema>;
export const slaPolicyRecordSchema = lazy(() => z.object({
  ...SlaPolicyBodySchema.shape,
  teamId: IdSchema,
  version: z.int(),
  updatedAt: TimestampSchema,
  updatedBy: IdSchema,
}));
export type SlaPolicyRecord = z.infer<ReturnType<typeof slaPolicyRecordSchema>>;

/** The targets a ticket runs under, copied from its team's policy version when its SLA starts (the policy may change later). */
export const TicketSlaSchema = z.object({
  teamId: IdSchema,
  policyVersion: z.int(),
  timeZone: z.string(),
  calendar: BusinessCalendarSchema,
  firstResponseMinutes: z.int(),
  resolutionMinutes: z.int(),
  remindBeforeMinutes: z.int(),
  escalateEveryMinutes: z.int(),
  reopenWithinDays: z.int(),
});
export type TicketSla = z.infer<typeof TicketSlaSchema>;

/** The SLA clock: it runs from startedAt, except in its pauses (waiting on the customer); an open pause has no `to`. */
export const SlaClockSchema = z.object({
  startedAt: TimestampSchema,
  pauses: z.array(z.object({ from: TimestampSchema, to: z.optional(TimestampSchema) })),
});
export type SlaClock = z.infer<typeof SlaClockSchema>;

/** What the SLA did: a reminder, a breach, an escalation (level 1: the assignee's manager, 2: the next one up...). */
export const SlaMilestoneSchema = z.object({
  cycle: z.int(),
  target: z.enum(SLA_TARGETS),
  kind: z.enum(['reminded', 'breached', 'escalated']),
  level: z.optional(z.int()),
  /** when it was due on the clock */
  dueAt: TimestampSchema,
  /** when the engine acted on it */
  at: TimestampSchema,
  /** who was told */
  to: z.optional(IdSchema),
});
export type SlaMilestone = z.infer<typeof SlaMilestoneSchema>;

export const Tickets = defineRecord({
  type: 'TICKET',
  plural: 'tickets',
  owned: true,
  fields: () => ({
    accountId: referenceTo('ACCOUNT'),
    contactId: z.optional(referenceTo('CONTACT')),
    subject: NameSchema,
    description: z.optional(LongTextSchema),
    category: TicketCategorySchema,
    priority: TicketPrioritySchema,
    /** where the satisfaction survey goes when the ticket names no contact with an address */
    contactEmail: z.optional(EmailSchema),
  }),
  serverFields: () => ({
    status: z.enum(TICKET_STATUSES),
    /** how often its SLA started: 1, plus one per reopening */
    cycle: z.int(),
    /** the call centre's own id, for a ticket it opened */
    externalId: z.optional(z.string()),
    sla: z.optional(TicketSlaSchema),
    clock: z.optional(SlaClockSchema),
    firstResponseDueAt: z.optional(TimestampSchema),
    resolutionDueAt: z.optional(TimestampSchema),
    /** the earliest target still running: what the queue is sorted by; absent while the clock is stopped */
    dueAt: z.optional(TimestampSchema),
    firstRespondedAt: z.optional(TimestampSchema),
    resolvedAt: z.optional(TimestampSchema),
    closedAt: z.optional(TimestampSchema),
    milestones: z.array(SlaMilestoneSchema),
    /** the latest survey answer */
    rating: z.optional(z.object({ score: z.int(), cycle: z.int(), at: TimestampSchema })),
    notes: z.array(z.object({ at: TimestampSchema, by: IdSchema, kind: z.string(), text: z.optional(z.string()) })),
  }),
});
export const ticketRecordSchema = lazy(() => Tickets.record);
export type TicketRecord = z.infer<typeof Tickets.record> & { ownerId: string; departmentId: string };

/** POST /tickets/{id}/{action}: what an agent does to a ticket. */
export const TICKET_ACTIONS = ['respond', 'wait-on-customer', 'customer-replied', 'resolve', 'close', 'reopen', 'assign'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];
export const TicketActionPathSchema = z.strictObject({ action: z.enum(TICKET_ACTIONS) });
export const TicketActionBodySchema = z.strictObject({
  /** the version read: a stale one is a 409 */
  version: z.int().check(z.gte(1)),
  /** what was said to the customer, or why */
  text: z.optional(LongTextSchema),
  /** assign: the new assignee (a user of the ticket's team) */
  assigneeId: z.optional(referenceTo('USER')),
});

export const SURVEY_SCORES = [1, 2, 3, 4, 5] as const;
export const SurveyAnswerSchema = z.strictObject({
  score: z.coerce.number().check(z.int(), z.gte(1, 'must be a rating from 1 to 5'), z.lte(5, 'must be a rating from 1 to 5')),
});
