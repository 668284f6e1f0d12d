import * as z from '../zod';
import { IdSchema, LongTextSchema, NameSchema, RoleSchema, ShortTextSchema, TimestampSchema } from '../common';
import { BusinessCalendarSchema, BusinessDurationSchema, DEFAULT_CALENDAR } from '../calendar';
import type { BusinessDuration } from '../calendar';
import { ConditionSchema } from '../conditions';
import { SubjectTypeSchema } from './subject';

export * from './subject';

/*
 * Approval policies as data (DOMAIN process 5): the document ops write, validate, dry-run
 * (functions/approvals/approval-plan.ts) and then activate. A policy says which requests it applies to
 * (a subject type plus an optional entry condition on the subject's fields) and the ordered steps a
 * request goes through. Conditions are the safe condition language of schemas/conditions.ts, tested
 * against the subject's `fields` (so `amount.amountMinor` reads `subject.fields.amount.amountMinor`).
 *
 * Approvers (ApproverSpec) say WHO, not which user ids: they are resolved when a step starts.
 *   - user:              one named user.
 *   - role:              every user with the role; with withinSubmitterDepartment only those in the
 *                        requester's own department (exactly that department, not its sub-departments).
 *   - submitterManager:  the manager of the requester's department from the department tree; when that
 *                        is the requester or the submitter (or the department has no manager) the
 *                        parent department's manager, and so on up the tree.
 *   The requester is the record's owner when the request names one (a manager or ops may submit on
 *   the owner's behalf: the approval follows the owner's place in the organisation), else the submitter.
 *   - departmentManager: the manager of a named department ("the head of Finance"). Follows org
 *                        changes without editing the policy, unlike a named user.
 *   - recordOwner:       the subject's owner (subject.ownerId). Segregation of duties keeps owners from
 *                        approving their records by any other route; this explicit spec is the exception
 *                        (never for an owner who submitted the request).
 *
 * Cross-field checks the schema makes (each issue names its path, e.g. `steps.1.onTimeout.to`):
 *   - step names are unique (ignoring case and surrounding spaces);
 *   - a step lists each approver spec at most once;
 *   - escalate needs at least one approver in `to`;
 *   - a quorum of N needs N <= the number of approvers, but only when that number is known statically,
 *     i.e. when every approver spec of the step is a named user (one spec = one person). Role, manager
 *     and owner specs resolve to any number of people (including none, after segregation of duties),
 *     so for them the count is checked when the step is planned: the dry-run reports
 *     "quorum 3 but only 2 approvers" as a problem, and the runtime must refuse to start such a step;
 *   - remindEvery must be shorter than dueIn when the two are comparable (same unit, or minutes vs
 *     hours); across other units (working days vs hours...) it is not checked.
 *
 * Versions are immutable (StoredPolicyVersionSchema): editing makes a new version; a running approval
 * keeps the version it started with. Enforcing that is the store's job; here is only the shape.
 */

// ---------------------------------------------------------------------------------------------------
// Approvers

export const APPROVER_KINDS = ['user', 'role', 'submitterManager', 'departmentManager', 'recordOwner'] as const;

export const ApproverSpecSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('user'), userId: IdSchema }),
    z.strictObject({ kind: z.literal('role'), role: RoleSchema, withinSubmitterDepartment: z.optional(z.boolean()) }),
    z.strictObject({ kind: z.literal('submitterManager') }),
    z.strictObject({ kind: z.literal('departmentManager'), departmentId: IdSchema }),
    z.strictObject({ kind: z.literal('recordOwner') }),
  ],
  `an approver needs "kind", one of ${APPROVER_KINDS.join(', ')}`,
);
export type ApproverSpec = z.infer<typeof ApproverSpecSchema>;

/** A stable text key for an approver spec, to find repeats ("role:finance:dept"). */
export const approverKey = (spec: ApproverSpec): string => {
  switch (spec.kind) {
    case 'user':
      return `user:${spec.userId}`;
    case 'role':
      return `role:${spec.role}${spec.withinSubmitterDepartment ? ':submitter-department' : ''}`;
    case 'departmentManager':
      return `departmentManager:${spec.departmentId}`;
    default:
      return spec.kind;
  }
};

/** "user u-finance", "role finance in the submitter's department", "the submitter's manager". */
export const describeApprover = (spec: ApproverSpec): string => {
  switch (spec.kind) {
    case 'user':
      return `user ${spec.userId}`;
    case 'role':
      return `role ${spec.role}${spec.withinSubmitterDepartment ? " in the submitter's department" : ''}`;
    case 'submitterManager':
      return "the submitter's manager";
    case 'departmentManager':
      return `the manager of department ${spec.departmentId}`;
    case 'recordOwner':
      return "the record's owner";
  }
};

const MAX_APPROVERS = 20;

const approverList = (what: string) =>
  z.array(ApproverSpecSchema).check(
    z.minLength(1, `${what} needs at least one approver`),
    z.maxLength(MAX_APPROVERS, `${what} may list at most ${MAX_APPROVERS} approvers`),
    z.superRefine((specs, ctx) => {
      const seen = new Map<string, number>();
      specs.forEach((spec, index) => {
        const key = approverKey(spec);
        const first = seen.get(key);
        if (first === undefined) seen.set(key, index);
        else ctx.addIssue({ code: 'custom', path: [index], input: spec, message: `lists ${describeApprover(spec)} again (already at ${first})` });
      });
    }),
  );

// ---------------------------------------------------------------------------------------------------
// Steps

export const ApprovalModeSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('any') }),
    z.strictObject({ kind: z.literal('all') }),
    z.strictObject({ kind: z.literal('quorum'), count: z.int().check(z.gte(1, 'must be a whole number of at least 1'), z.lte(100, 'must be at most 100')) }),
  ],
  'mode needs "kind", one of any, all, quorum',
);
export type ApprovalMode = z.infer<typeof ApprovalModeSchema>;

export const TimeoutActionSchema = z.discriminatedUnion(
  'action',
  [
    z.strictObject({ action: z.literal('escalate'), to: approverList('escalate') }),
    z.strictObject({ action: z.literal('approve') }),
    z.strictObject({ action: z.literal('reject'), reason: ShortTextSchema }),
  ],
  'onTimeout needs "action", one of escalate, approve, reject',
);
export type TimeoutAction = z.infer<typeof TimeoutActionSchema>;

/** Elapsed minutes of a duration whose length does not depend on a calendar; undefined otherwise. */
const elapsedMinutes = (duration: BusinessDuration): number | undefined =>
  duration.unit === 'minutes' ? duration.amount : duration.unit === 'hours' ? duration.amount * 60 : undefined;

/** Whether `remind` is known to be at least as long as `due` (then no reminder would ever be sent). */
const remindsTooLate = (remind: BusinessDuration, due: BusinessDuration): boolean => {
  if (remind.unit === due.unit) return remind.amount >= due.amount;
  const [r, d] = [elapsedMinutes(remind), elapsedMinutes(due)];
  return r !== undefined && d !== undefined && r >= d;
};

export const ApprovalStepSchema = z
  .strictObject({
    name: ShortTextSchema,
    /** The step runs only when this holds for the subject's fields; skipped otherwise. */
    condition: z.optional(ConditionSchema),
    approvers: approverList('a step'),
    mode: ApprovalModeSchema,
    /** Each approver's task is due this long after it is created, on the policy's calendar in the approver's time zone. */
    dueIn: BusinessDurationSchema,
    /** Remind the approver every so often until they decide or the task times out. */
    remindEvery: z.optional(BusinessDurationSchema),
    onTimeout: TimeoutActionSchema,
  })
  .check(
    z.superRefine((step, ctx) => {
      const { mode, approvers } = step;
      if (mode.kind === 'quorum' && approvers.every((spec) => spec.kind === 'user') && mode.count > approvers.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['mode', 'count'],
          input: mode.count,
          message: `a quorum of ${mode.count} needs at least ${mode.count} approvers; this step names ${approvers.length}`,
        });
      }
      if (step.remindEvery && remindsTooLate(step.remindEvery, step.dueIn)) {
        ctx.addIssue({
          code: 'custom',
          path: ['remindEvery'],
          input: step.remindEvery,
          message: 'must be shorter than dueIn, or no reminder is ever sent before the deadline',
        });
      }
    }),
  );
export type ApprovalStep = z.infer<typeof ApprovalStepSchema>;

// ---------------------------------------------------------------------------------------------------
// Policies

export const SEED_SUBJECT_TYPES = ['promotion', 'expense-claim', 'discount', 'credit-limit'] as const;

const MAX_STEPS = 20;

export const ApprovalPolicySchema = z.strictObject({
  id: IdSchema,
  name: NameSchema,
  description: z.optional(LongTextSchema),
  subjectType: SubjectTypeSchema,
  /** The policy applies to a request of its subject type only when this holds for the subject's fields. */
  entryCondition: z.optional(ConditionSchema),
  steps: z.array(ApprovalStepSchema).check(
    z.minLength(1, 'a policy needs at least one step'),
    z.maxLength(MAX_STEPS, `a policy may have at most ${MAX_STEPS} steps`),
    z.superRefine((steps, ctx) => {
      const seen = new Map<string, number>();
      steps.forEach((step, index) => {
        const key = step.name.trim().toLowerCase();
        const first = seen.get(key);
        if (first === undefined) seen.set(key, index);
        else ctx.addIssue({ code: 'custom', path: [index, 'name'], input: step.name, message: `step name "${step.name}" is already used by step ${first}` });
      });
    }),
  ),
  /** Working days, hours and holidays that deadlines and reminders count in; omitted: DEFAULT_CALENDAR. */
  calendar: z._default(BusinessCalendarSchema, () => structuredClone(DEFAULT_CALENDAR)),
  options: z._default(
    z.strictObject({
      /** Nobody decides twice in one request (in two steps, or in a step and its escalation). */
      distinctDeciders: z.boolean(),
    }),
    () => ({ distinctDeciders: false }),
  ),
});
/** A parsed policy: calendar and options are always present. */
export type ApprovalPolicy = z.output<typeof ApprovalPolicySchema>;
/** A policy as written: calendar and options may be left out. */
export type ApprovalPolicyInput = z.input<typeof ApprovalPolicySchema>;

// ---------------------------------------------------------------------------------------------------
// Subjects and stored versions


/** One immutable version of a policy, as the store keeps it; a running approval pins policyId + version. */
export const StoredPolicyVersionSchema = z
  .strictObject({
    policyId: IdSchema,
    version: z.int().check(z.gte(1, 'must be a whole number of at least 1')),
    createdAt: TimestampSchema,
    createdBy: IdSchema,
    document: ApprovalPolicySchema,
  })
  .check(
    z.superRefine((stored, ctx) => {
      if (stored.document.id !== stored.policyId) {
        ctx.addIssue({ code: 'custom', path: ['document', 'id'], input: stored.document.id, message: `must equal policyId (${stored.policyId})` });
      }
    }),
  );
export type StoredPolicyVersion = z.output<typeof StoredPolicyVersionSchema>;
