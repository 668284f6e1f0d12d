import * as z from '../zod';
import { IdSchema, MoneySchema, TimestampSchema } from '../common';
import { ApprovalPolicySchema, ApprovalSubjectSchema } from './policy';

/*
 * Approval requests, their tasks and audit trail as the API shows them, and the API's bodies.
 * The engine (functions/approvals/approval-engine.ts) writes them; schemas/keys/approvals.ts says where.
 */

// ---------------------------------------------------------------------------------------------------
// Stored shapes

export const REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'recalled'] as const;
export const RequestStatusSchema = z.enum(REQUEST_STATUSES);
export type RequestStatus = z.infer<typeof RequestStatusSchema>;

export const STEP_STATES = ['waiting', 'open', 'approved', 'rejected', 'skipped', 'cancelled'] as const;

export const StepStateSchema = z.object({
  index: z.int(),
  name: z.string(),
  applies: z.boolean(),
  /** why it applies or not, in words */
  reasons: z.array(z.string()),
  state: z.enum(STEP_STATES),
  openedAt: z.optional(TimestampSchema),
  decidedAt: z.optional(TimestampSchema),
});
export type StepState = z.infer<typeof StepStateSchema>;

export const ApprovalRequestRecordSchema = z.object({
  requestId: IdSchema,
  status: RequestStatusSchema,
  subject: ApprovalSubjectSchema,
  submitterId: IdSchema,
  submitterDepartmentId: IdSchema,
  policyId: IdSchema,
  policyVersion: z.int(),
  /** the policy version's document, as it was when the request started (versions are immutable) */
  policy: ApprovalPolicySchema,
  steps: z.array(StepStateSchema),
  /** the step now open; -1 before the first and after the last */
  currentStep: z.int(),
  /** bumps every time the engine waits anew; the task token it waits on belongs to one round */
  round: z.int(),
  /** bumps with every decision, recall or reassignment, so a wait that started before one is woken */
  signals: z.int(),
  reasons: z.array(z.string()),
  /** ended on request: recalled by its submitter, or withdrawn by the workflow that asked when it stopped waiting */
  recall: z.optional(z.object({ by: IdSchema, at: TimestampSchema, reason: z.optional(z.string()), withdrawn: z.optional(z.boolean()) })),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  decidedAt: z.optional(TimestampSchema),
  version: z.int(),
});
export type ApprovalRequestRecord = z.infer<typeof ApprovalRequestRecordSchema> & {
  /** internal: never shown by the API */
  taskToken?: string;
  callbackToken?: string;
  executionArn?: string;
};

export const TASK_STATUSES = ['pending', 'approved', 'rejected', 'changes-requested', 'escalated', 'reassigned', 'cancelled'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;
/** The statuses that are a decision on the task's slot. */
export const DECIDED_STATUSES: readonly TaskStatus[] = ['approved', 'rejected', 'changes-requested'];

export const ApprovalTaskSchema = z.object({
  requestId: IdSchema,
  taskId: IdSchema,
  stepIndex: z.int(),
  stepName: z.string(),
  /**
   * The approver place the task fills: the approver the step resolved first. An escalation or a
   * reassignment keeps the slot, so a mode (any / all / quorum) counts places, not tasks.
   */
  slot: IdSchema,
  assigneeId: IdSchema,
  /** how the assignee came to it: user, role, manager, department-manager, owner, delegate, escalation, reassignment */
  via: z.string(),
  delegatedFrom: z.optional(IdSchema),
  status: TaskStatusSchema,
  createdAt: TimestampSchema,
  dueAt: TimestampSchema,
  nextRemindAt: z.optional(TimestampSchema),
  reminders: z.int(),
  /** the deadline passed on a task that has nowhere further to go; it stays open and keeps reminding */
  overdue: z.optional(z.boolean()),
  decidedAt: z.optional(TimestampSchema),
  /** who decided: the assignee, or "deadline" when the policy's timeout decided */
  decidedBy: z.optional(z.string()),
  comment: z.optional(z.string()),
  /** the request's subject as the approver sees it (a copy, so the inbox is one Query) */
  subject: z.optional(ApprovalSubjectSchema),
  submitterId: IdSchema,
  version: z.int(),
});
export type ApprovalTask = z.infer<typeof ApprovalTaskSchema>;

export const AUDIT_ACTIONS = [
  'requested', 'step-opened', 'step-skipped', 'task-created', 'reminded', 'escalated', 'overdue', 'approved', 'rejected',
  'changes-requested', 'auto-approved', 'auto-rejected', 'reassigned', 'recalled', 'withdrawn', 'completed', 'no-approver',
] as const;
export const AuditEntrySchema = z.object({
  entryId: z.string(),
  requestId: IdSchema,
  at: TimestampSchema,
  /** a user id, or "engine" for what the workflow did on its own */
  actor: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  stepIndex: z.optional(z.int()),
  taskId: z.optional(IdSchema),
  assigneeId: z.optional(IdSchema),
  comment: z.optional(z.string()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type AuditAction = AuditEntry['action'];

// ---------------------------------------------------------------------------------------------------
// API bodies

const CommentSchema = z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(1000, 'must be at most 1000 characters'));

export const DECISIONS = ['approve', 'reject', 'request-changes'] as const;
export const DecisionBodySchema = z
  .strictObject({
    decision: z.enum(DECISIONS, `must be one of ${DECISIONS.join(', ')}`),
    comment: z.optional(CommentSchema),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.decision !== 'approve' && body.comment === undefined) {
        ctx.addIssue({ code: 'custom', path: ['comment'], input: body.comment, message: `is required to ${body.decision === 'reject' ? 'reject' : 'request changes'}: say why` });
      }
    }),
  );
export type DecisionBody = z.infer<typeof DecisionBodySchema>;

/** A discount on an opportunity: how much off, in percent of its amount. */
export const DiscountParametersSchema = z.strictObject({
  discountPercent: z.number().check(z.gt(0, 'must be more than 0'), z.lte(100, 'must be at most 100')),
});
/** A credit limit on an account: the limit asked for. */
export const CreditLimitParametersSchema = z.strictObject({ creditLimit: MoneySchema });
/**
 * What a request for a record-backed subject type adds in `subject.fields` that its record does not hold
 * (functions/approvals/approval-subjects.ts reads the rest from the record).
 */
export const SUBJECT_PARAMETERS: Record<string, z.ZodMiniType> = { discount: DiscountParametersSchema, 'credit-limit': CreditLimitParametersSchema };

/**
 * A subject as POST /approvals names it. For a type backed by a record (promotion, expense-claim,
 * discount, credit-limit) only `type`, `id` and the type's parameters in `fields`; the owner, title,
 * facts and the other fields are read from the record. Other types are free-form (ops and admin only).
 */
export const RequestedSubjectSchema = z.extend(ApprovalSubjectSchema, { fields: z.optional(ApprovalSubjectSchema.shape.fields) }).check(
  z.describe('promotion, expense-claim: type and id only; discount: fields.discountPercent; credit-limit: fields.creditLimit (the rest is read from the record, which the caller must be able to read). Any other type is free-form: ops and admin only.'),
);
export type RequestedSubject = z.infer<typeof RequestedSubjectSchema>;

export const StartApprovalBodySchema = z.strictObject({
  subject: RequestedSubjectSchema,
  /** a specific policy; omitted: the active policy of the subject's type whose entry condition holds */
  policyId: z.optional(IdSchema),
}).check(
  z.superRefine(({ subject }, ctx) => {
    const parameters = Object.hasOwn(SUBJECT_PARAMETERS, subject.type) ? SUBJECT_PARAMETERS[subject.type] : undefined;
    const parsed = parameters?.safeParse(subject.fields ?? {});
    for (const issue of parsed?.error?.issues ?? []) {
      const at = ['subject', 'fields', ...issue.path];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) ctx.addIssue({ code: 'custom', path: [...at, key], message: 'is not a known field', input: subject.fields });
      } else ctx.addIssue({ code: 'custom', path: at, message: issue.message, input: subject.fields });
    }
  }),
);

export const RecallBodySchema = z.strictObject({ reason: z.optional(CommentSchema) });
export const ReassignBodySchema = z.strictObject({ assigneeId: IdSchema, comment: CommentSchema });

export const PolicyDocumentBodySchema = ApprovalPolicySchema;
export const ActivatePolicyBodySchema = z.strictObject({ version: z.int().check(z.gte(1, 'must be a version number, 1 or more')) });
export const DryRunBodySchema = z.strictObject({
  subject: ApprovalSubjectSchema,
  /** who would submit it; omitted: the caller */
  submitterId: z.optional(IdSchema),
  /** which version; omitted: the latest (draft or active) */
  version: z.optional(z.int().check(z.gte(1))),
});
export const ValidatePolicyBodySchema = z.strictObject({ document: z.unknown(), subject: z.optional(ApprovalSubjectSchema), submitterId: z.optional(IdSchema) });

export const InboxQuerySchema = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  cursor: z.optional(z.string()),
});

export const ApprovalViewSchema = z.object({ request: ApprovalRequestRecordSchema, tasks: z.array(ApprovalTaskSchema) });
