import * as z from '../zod';
import { IdSchema, NameSchema, ShortTextSchema, TimestampSchema } from '../common';
import { SUBJECT_FIELD_LIMITS, withinJsonLimits } from '../json-limits';

// What a request is about, apart from the policies: the event catalogue carries subjects, and a
// function that publishes approval events need not build the policy and condition schemas.

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** promotion, expense-claim, discount, credit-limit or any custom type, in kebab-case. */
export const SubjectTypeSchema = z.string().check(
  z.maxLength(64, 'must be at most 64 characters'),
  z.regex(KEBAB, 'must be kebab-case such as expense-claim: lower-case letters and digits, words joined by -'),
);

/**
 * One thing a person reads about the subject besides its amount, labelled: a text (or a list of
 * them, such as account names), or a time, which each reader sees in their own time zone.
 */
export const SubjectFactSchema = z.union([
  z.strictObject({ label: ShortTextSchema, text: z.union([NameSchema, z.array(NameSchema).check(z.maxLength(20))]) }),
  z.strictObject({ label: ShortTextSchema, at: TimestampSchema }),
]);
export type SubjectFact = z.infer<typeof SubjectFactSchema>;

/** What an approval request carries about the thing to approve. */
export const ApprovalSubjectSchema = z.strictObject({
  type: SubjectTypeSchema,
  /** The id of the record or request being approved. */
  id: IdSchema,
  /** The record's owner: a `recordOwner` approver, and never an approver of it (segregation of duties). */
  ownerId: z.optional(IdSchema),
  departmentId: z.optional(IdSchema),
  /** What conditions test: `amount.amountMinor` reads fields.amount.amountMinor. */
  fields: z.record(z.string(), z.unknown()).check(...withinJsonLimits(SUBJECT_FIELD_LIMITS)),
  /** What people call it (a promotion's name), in mail and pages; without it they read its type and id. */
  title: z.optional(NameSchema),
  /** What mail and pages show about it besides `fields.amount`, in this order. */
  facts: z.optional(z.array(SubjectFactSchema).check(z.maxLength(12))),
});
export type ApprovalSubject = z.infer<typeof ApprovalSubjectSchema>;
