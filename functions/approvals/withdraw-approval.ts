import * as z from '../../schemas/zod';
import { IdSchema } from '../../schemas/common';
import { taskHandler } from '../platform/task-handler';
import { withdrawApproval } from './approval-decisions';

/**
 * Workflow task of the workflows that ask for an approval and wait for it (promotion-lifecycle,
 * expense-claim): when they give up waiting, the request is withdrawn (its tasks closed, no more
 * reminders, a late decision refused). Answers the outcome the workflow applies, as the engine would.
 */
export const handler = taskHandler(
  z.object({ requestId: IdSchema, by: IdSchema, reason: z.string() }),
  (input, now) => withdrawApproval(input.requestId, input.by, input.reason, now),
  (input) => input.requestId,
);
