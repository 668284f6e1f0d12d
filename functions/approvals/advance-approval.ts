import { ApprovalRequested } from '../../schemas/events';
import * as z from '../../schemas/zod';
import { taskHandler } from '../platform/task-handler';
import { advanceApproval, startApproval } from './approval-engine';

const AdvanceInputSchema = z.object({
  /** Begin: the Approval.Requested event as the rule delivered it, and the execution running it */
  event: z.optional(z.object({ id: z.optional(z.string()), detail: ApprovalRequested.detail })),
  executionArn: z.optional(z.string()),
  /** Advance: the request to reconcile */
  requestId: z.optional(z.string()),
});

/**
 * Workflow task of the approval state machine (workflows/approval.ts): Begin creates the request and
 * opens its first step; Advance reconciles it after a wake or a timer. Throws on failure, so the
 * state machine's Retry and Catch see it. The request's id is the correlation id of all its tasks.
 */
export const handler = taskHandler(AdvanceInputSchema, async (input) => {
  const now = new Date();
  if (input.requestId) return advanceApproval(input.requestId, now);
  if (!input.event || !input.executionArn) throw new Error('the approval task needs the Approval.Requested event and its execution (Begin) or a requestId (Advance)');
  return startApproval({ detail: input.event.detail, ...(input.event.id ? { eventId: input.event.id } : {}), executionArn: input.executionArn }, now);
}, (input) => input.requestId ?? input.event?.detail.requestId);
