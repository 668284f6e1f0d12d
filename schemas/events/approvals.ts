import * as z from '../zod';
import { IdSchema, ShortTextSchema, TimestampSchema } from '../common';
import { ApprovalSubjectSchema } from '../approvals/subject';
import { defineEvent } from './define';
import { SOURCES } from './sources';

/*
 * The approval engine's contract. Anything that needs a decision (a promotion, an expense
 * claim, a discount) puts Approval.Requested; the engine ends every request with exactly one of
 * Approval.Approved, Approval.Rejected or Approval.Recalled, carrying the subject's type and id.
 *
 * A workflow that waits for the outcome puts Approval.Requested with EventBridge's
 * `.waitForTaskToken` and passes `$$.Task.Token` as `callbackToken`: the engine then also calls
 * SendTaskSuccess on it with an ApprovalOutcome (rejected and recalled included, so the workflow can
 * branch on `outcome` rather than catch a failure).
 */

const MAX_REASON_LENGTH = 1000;
const ReasonSchema = z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(MAX_REASON_LENGTH, `must be at most ${MAX_REASON_LENGTH} characters`));

export const ApprovalRequestDetailSchema = z.strictObject({
  /** Chosen by the requester to make the request idempotent; omitted: derived from the subject and the event. */
  requestId: z.optional(IdSchema),
  subject: ApprovalSubjectSchema,
  submitterId: IdSchema,
  /** A specific policy; omitted: the active policy of the subject's type whose entry condition holds. */
  policyId: z.optional(IdSchema),
  /** A Step Functions task token to complete with the ApprovalOutcome. */
  callbackToken: z.optional(z.string().check(z.minLength(1), z.maxLength(8192))),
});
export type ApprovalRequestDetail = z.infer<typeof ApprovalRequestDetailSchema>;

export const APPROVAL_OUTCOMES = ['approved', 'rejected', 'recalled'] as const;
export const ApprovalOutcomeKindSchema = z.enum(APPROVAL_OUTCOMES);
export type ApprovalOutcomeKind = z.infer<typeof ApprovalOutcomeKindSchema>;

const outcomeFields = {
  requestId: IdSchema,
  subjectType: ShortTextSchema,
  subjectId: IdSchema,
  submitterId: IdSchema,
  policyId: IdSchema,
  policyVersion: z.int(),
  decidedAt: TimestampSchema,
};

/** What the engine sends to a callbackToken, and the shape of every outcome event's detail. */
export const ApprovalOutcomeSchema = z.strictObject({
  ...outcomeFields,
  outcome: ApprovalOutcomeKindSchema,
  /** Why it was rejected or recalled (each decider's reason, or the deadline's), in order; empty when approved. */
  reasons: z.array(ReasonSchema),
});
export type ApprovalOutcome = z.infer<typeof ApprovalOutcomeSchema>;

export const ApprovalRequested = defineEvent({
  source: SOURCES.approvals,
  detailType: 'Approval.Requested',
  direction: 'internal',
  description: 'Something needs approving: the engine picks the policy, snapshots the subject and runs the steps.',
  producers: ['workflows that need a decision (promotion, expense claim)', 'POST /approvals'],
  consumers: ['workflow approval'],
  detail: () => ApprovalRequestDetailSchema,
});

const outcomeEvent = (detailType: string, outcome: ApprovalOutcomeKind, description: string) =>
  defineEvent({
    source: SOURCES.approvals,
    detailType,
    direction: 'internal',
    description,
    producers: ['workflow approval'],
    consumers: ['the requesting workflow (also by callbackToken)', 'other systems'],
    detail: () => z.strictObject({ ...outcomeFields, outcome: z.literal(outcome), reasons: z.array(ReasonSchema) }),
  });

export const ApprovalApproved = outcomeEvent('Approval.Approved', 'approved', 'Every step that applied was approved (by people or by a deadline that auto-approves).');
export const ApprovalRejected = outcomeEvent('Approval.Rejected', 'rejected', 'A step was rejected (by a person or by a deadline that auto-rejects); reasons say why.');
export const ApprovalRecalled = outcomeEvent('Approval.Recalled', 'recalled', 'The submitter withdrew the request while it was pending.');
