import * as z from '../zod';

/** Why an enrolment ended before its last step (the event catalogue carries it too). */
export const EXIT_REASONS = ['converted', 'unsubscribed', 'bounced', 'complained', 'exit-condition', 'no-consent', 'suppressed', 'archived', 'failed'] as const;
export const ExitReasonSchema = z.enum(EXIT_REASONS);
export type ExitReason = z.infer<typeof ExitReasonSchema>;
