import * as z from '../zod';
import {
  EmailSchema, IdSchema, LongTextSchema, MoneySchema, NameSchema, ShortTextSchema, TimeZoneSchema, TimestampSchema,
} from '../common';
import { BusinessCalendarSchema, BusinessDurationSchema, DEFAULT_CALENDAR } from '../calendar';
import { EVENT_DETAIL_LIMITS, SUBJECT_FIELD_LIMITS, withinJsonLimits } from '../json-limits';
import { ConditionSchema } from '../conditions';
import { LeadStatusSchema } from '../records/lead';

export * from './exit-reasons';

/*
 * Nurture sequences as data (DOMAIN process 4): the document marketing writes, validates,
 * dry-runs (functions/nurture/nurture-plan.ts) and activates, in the style of approval policies
 * (schemas/approvals/policy.ts). Versions are immutable; an enrolment pins the version it started with.
 *
 * A sequence says WHO enrols (a triggering event plus conditions on the event's detail and on the lead),
 * HOW OFTEN (re-entry policy, a cap on active enrolments per lead), and WHAT HAPPENS: a list of steps,
 * each with an `id`. Steps run in the order written unless a step names its `next`; branching steps name
 * `yes`/`no`. Jumps only go forward (a later step), so every path ends and each step runs at most once
 * per enrolment: that is what makes "(enrolment, step)" a business key for exactly-once sending.
 *
 * Send window: every mail goes inside the sequence's `sendWindow` (business days and hours) in the
 * lead's own time zone (`defaultTimeZone` when the lead has none); a wait that ends outside the window
 * ends at the next window start instead (a wait ending Saturday 03:00 sends Monday at 09:00).
 *
 * Exits: the lead converts (status "converted"), unsubscribes, bounces, complains, or matches
 * `exitCondition` (tested on the lead whenever it changes and before every step).
 */

export const NURTURE_TRIGGER_EVENTS = ['Lead.Captured', 'Lead.Created'] as const;
export const NurtureTriggerEventSchema = z.enum(NURTURE_TRIGGER_EVENTS);

export const REENTRY_POLICIES = ['never', 'after-exit', 'any-time'] as const;
export const ReentryPolicySchema = z.enum(REENTRY_POLICIES);
export type ReentryPolicy = z.infer<typeof ReentryPolicySchema>;

const StepIdSchema = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be 1-40 lower-case letters, digits or -, starting with a letter'));
const TemplateNameSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an SES template name: 1-64 letters, digits, _ or -'));
const next = { next: z.optional(StepIdSchema) };

/** Which lead fields a mail may use as personalisation; anything else is refused, so nothing private leaks into a template. */
export const PERSONALISATION_FIELDS = ['firstName', 'lastName', 'company', 'email', 'region', 'score'] as const;

export const SendMailStepSchema = z.strictObject({
  id: StepIdSchema,
  type: z.literal('send-mail'),
  /** an SES template; it receives `lead.<field>`, `owner.name`, `owner.email` and `unsubscribeUrl` */
  template: TemplateNameSchema,
  /** extra template data, e.g. {"offer": "10% off"} */
  data: z.optional(z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/, 'must be a simple name')), z.string().check(z.maxLength(500)))),
  ...next,
});

export const WaitStepSchema = z
  .strictObject({
    id: StepIdSchema,
    type: z.literal('wait'),
    /** wait this long (on the send window's calendar for working units) ... */
    duration: z.optional(BusinessDurationSchema),
    /** ... or until this instant */
    until: z.optional(TimestampSchema),
    /** end inside the send window (default true): a wait ending outside it ends at the next window start */
    withinSendWindow: z.optional(z.boolean()),
    ...next,
  })
  .check(
    z.superRefine((step, ctx) => {
      if ((step.duration === undefined) === (step.until === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['duration'], input: step, message: 'a wait needs exactly one of duration or until' });
      }
    }),
  );

export const WaitForEngagementStepSchema = z.strictObject({
  id: StepIdSchema,
  type: z.literal('wait-for-engagement'),
  /** the send-mail step whose mail is watched (an earlier step) */
  mailStep: StepIdSchema,
  engagement: z.enum(['opened', 'clicked']),
  withinDays: z.int().check(z.gte(1, 'must be a whole number of at least 1'), z.lte(90, 'must be at most 90')),
  yes: StepIdSchema,
  no: StepIdSchema,
});

export const BranchStepSchema = z.strictObject({
  id: StepIdSchema,
  type: z.literal('branch'),
  /** tested on the lead's fields, e.g. {"field": "score", "op": "gte", "value": 50} */
  condition: ConditionSchema,
  yes: StepIdSchema,
  no: StepIdSchema,
});

export const ChangeScoreStepSchema = z.strictObject({
  id: StepIdSchema,
  type: z.literal('change-score'),
  by: z.int().check(z.gte(-1000), z.lte(1000), z.refine((n) => n !== 0, 'must not be 0')),
  ...next,
});

export const NotifyOwnerStepSchema = z.strictObject({
  id: StepIdSchema,
  type: z.literal('notify-owner'),
  message: ShortTextSchema,
  ...next,
});

export const CreateTaskStepSchema = z.strictObject({
  id: StepIdSchema,
  type: z.literal('create-task'),
  subject: NameSchema,
  ...next,
});

export const OpportunityTemplateSchema = z.strictObject({
  name: NameSchema,
  amount: MoneySchema,
  probability: z.int().check(z.gte(0), z.lte(100)),
  /** expected to close this many days after it is created */
  closesInDays: z.int().check(z.gte(1), z.lte(730)),
});

export const CreateOpportunityStepSchema = z.strictObject({
  id: StepIdSchema,
  type: z.literal('create-opportunity'),
  opportunity: OpportunityTemplateSchema,
  ...next,
});

export const SetStatusStepSchema = z.strictObject({
  id: StepIdSchema,
  type: z.literal('set-status'),
  status: LeadStatusSchema,
  ...next,
});

export const EndStepSchema = z.strictObject({ id: StepIdSchema, type: z.literal('end') });

export const NURTURE_STEP_TYPES = [
  'send-mail', 'wait', 'wait-for-engagement', 'branch', 'change-score', 'notify-owner', 'create-task', 'create-opportunity', 'set-status', 'end',
] as const;

export const NurtureStepSchema = z.discriminatedUnion(
  'type',
  [
    SendMailStepSchema, WaitStepSchema, WaitForEngagementStepSchema, BranchStepSchema, ChangeScoreStepSchema,
    NotifyOwnerStepSchema, CreateTaskStepSchema, CreateOpportunityStepSchema, SetStatusStepSchema, EndStepSchema,
  ],
  `a step needs "type", one of ${NURTURE_STEP_TYPES.join(', ')}`,
);
export type NurtureStep = z.infer<typeof NurtureStepSchema>;

/** Engagement and fit points; crossing `mqlThreshold` qualifies the lead and hands it to sales. */
export const ScoringSchema = z.strictObject({
  opened: z.int().check(z.gte(0), z.lte(1000)),
  clicked: z.int().check(z.gte(0), z.lte(1000)),
  /** fit: points a lead gets once, on enrolment, for each rule its fields satisfy */
  fit: z.optional(z.array(z.strictObject({ condition: ConditionSchema, points: z.int().check(z.gte(-1000), z.lte(1000)) })).check(z.maxLength(50))),
  mqlThreshold: z.int().check(z.gte(1), z.lte(1_000_000)),
  /** what the hand-off creates for the lead's owner besides the notification */
  handOff: z.strictObject({
    task: z.optional(z.strictObject({ subject: NameSchema })),
    opportunity: z.optional(OpportunityTemplateSchema),
  }),
});
export type Scoring = z.infer<typeof ScoringSchema>;

const MAX_STEPS = 50;

/** The ids a step may jump to. */
export const jumpsOf = (step: NurtureStep): { field: string; to: string }[] => {
  if (step.type === 'wait-for-engagement' || step.type === 'branch') return [{ field: 'yes', to: step.yes }, { field: 'no', to: step.no }];
  if (step.type !== 'end' && step.next !== undefined) return [{ field: 'next', to: step.next }];
  return [];
};

const checkSteps = z.superRefine<NurtureStep[]>((steps, ctx) => {
  const index = new Map<string, number>();
  steps.forEach((step, i) => {
    if (index.has(step.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], input: step.id, message: `step id "${step.id}" is already used by step ${index.get(step.id)}` });
    else index.set(step.id, i);
  });
  steps.forEach((step, i) => {
    for (const { field, to } of jumpsOf(step)) {
      const target = index.get(to);
      if (target === undefined) ctx.addIssue({ code: 'custom', path: [i, field], input: to, message: `names no step "${to}"` });
      else if (target <= i) ctx.addIssue({ code: 'custom', path: [i, field], input: to, message: `must name a later step ("${to}" is step ${target}); sequences only move forward` });
    }
    if (step.type === 'wait-for-engagement') {
      const mail = index.get(step.mailStep);
      const target = mail === undefined ? undefined : steps[mail];
      if (target?.type !== 'send-mail' || mail! >= i) {
        ctx.addIssue({ code: 'custom', path: [i, 'mailStep'], input: step.mailStep, message: `must name an earlier send-mail step` });
      }
    }
  });
});

export const NurtureSequenceSchema = z.strictObject({
  id: IdSchema,
  name: NameSchema,
  description: z.optional(LongTextSchema),
  /** the campaign conversions are attributed to (the settlement report reads them) */
  campaignId: z.optional(IdSchema),
  trigger: z.strictObject({
    event: NurtureTriggerEventSchema,
    /** tested on the event's detail (for Lead.Captured: formId, interests, region, ...) */
    eventCondition: z.optional(ConditionSchema),
    /** tested on the lead (source, interests, region, score, ...) */
    leadCondition: z.optional(ConditionSchema),
    /** who owns leads that a Lead.Captured creates (a sales rep); required for Lead.Captured */
    assignCapturedLeadsTo: z.optional(IdSchema),
  }),
  reentry: ReentryPolicySchema,
  /** at most this many active enrolments of one lead in this sequence (any-time re-entry) */
  maxActivePerLead: z._default(z.int().check(z.gte(1), z.lte(10)), 1),
  sendWindow: z._default(BusinessCalendarSchema, () => structuredClone(DEFAULT_CALENDAR)),
  /** the zone for leads without their own */
  defaultTimeZone: z._default(TimeZoneSchema, 'UTC'),
  /** the From address; omitted: the lead's owner sends */
  fromAddress: z.optional(EmailSchema),
  exitCondition: z.optional(ConditionSchema),
  scoring: z.optional(ScoringSchema),
  steps: z.array(NurtureStepSchema).check(
    z.minLength(1, 'a sequence needs at least one step'),
    z.maxLength(MAX_STEPS, `a sequence may have at most ${MAX_STEPS} steps`),
    checkSteps,
  ),
}).check(
  z.superRefine((sequence, ctx) => {
    if (sequence.trigger.event === 'Lead.Captured' && !sequence.trigger.assignCapturedLeadsTo) {
      ctx.addIssue({ code: 'custom', path: ['trigger', 'assignCapturedLeadsTo'], input: sequence.trigger, message: 'is required for Lead.Captured: a captured lead needs an owner' });
    }
  }),
);
export type NurtureSequence = z.output<typeof NurtureSequenceSchema>;
export type NurtureSequenceInput = z.input<typeof NurtureSequenceSchema>;

export const SEQUENCE_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;
export const SequenceStatusSchema = z.enum(SEQUENCE_STATUSES);
export type SequenceStatus = z.infer<typeof SequenceStatusSchema>;

/** What a sequence's head says: its status and which version new enrolments pin. */
export const SequenceHeadSchema = z.object({
  sequenceId: IdSchema,
  name: NameSchema,
  status: SequenceStatusSchema,
  latestVersion: z.int(),
  activeVersion: z.optional(z.int()),
  triggerEvent: NurtureTriggerEventSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  createdBy: IdSchema,
});
export type SequenceHead = z.infer<typeof SequenceHeadSchema>;

export const ENROLMENT_STATUSES = ['active', 'completed', 'exited'] as const;

// ---------------------------------------------------------------------------------------------------
// API bodies

export const SequenceLifecycleBodySchema = z.strictObject({
  action: z.enum(['activate', 'pause', 'resume', 'archive']),
  /** activate: which version new enrolments pin (default: the latest) */
  version: z.optional(z.int().check(z.gte(1))),
});

export const SequenceDryRunBodySchema = z.strictObject({
  /** the document to try; it is validated first (a 400 names each bad field) */
  sequence: z.unknown(),
  lead: z.record(z.string(), z.unknown()).check(...withinJsonLimits(SUBJECT_FIELD_LIMITS)),
  startAt: TimestampSchema,
  /** per wait-for-engagement step, what the sample lead does (default: nothing) */
  engagement: z.optional(z.record(z.string(), z.enum(['opened', 'clicked', 'none']))),
  /** a sample triggering event's detail, to test the event condition too */
  event: z.optional(z.record(z.string(), z.unknown()).check(...withinJsonLimits(EVENT_DETAIL_LIMITS))),
});
