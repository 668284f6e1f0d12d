import * as z from '../zod';
import { IdSchema } from '../common';

// What a request is about, apart from the policies: the event catalogue carries subjects, and a
// function that publishes approval events need not build the policy and condition schemas.

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** promotion, expense-claim, discount, credit-limit or any custom type, in kebab-case. */
export const SubjectTypeSchema = z.string().check(
  z.maxLength(64, 'must be at most 64 characters'),
  z.regex(KEBAB, 'must be kebab-case such as expense-claim: lower-case letters and digits, words joined by -'),
);

/** What an approval request carries about the thing to approve. */
export const ApprovalSubjectSchema = z.strictObject({
  type: SubjectTypeSchema,
  /** The id of the record or request being approved. */
  id: IdSchema,
  /** The record's owner: a `recordOwner` approver, and never an approver of it (segregation of duties). */
  ownerId: z.optional(IdSchema),
  departmentId: z.optional(IdSchema),
  /** What conditions test: `amount.amountMinor` reads fields.amount.amountMinor. */
  fields: z.record(z.string(), z.unknown()),
});
export type ApprovalSubject = z.infer<typeof ApprovalSubjectSchema>;
