import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ApprovalRequestDetailSchema } from '../../schemas/events';
import { advanceApproval, startApproval, type EngineResult } from './approval-engine';
import { sendApprovalMails } from './approval-mail';
import { logger } from '../platform/observability';

interface AdvanceInput {
  /** Begin: the Approval.Requested event as the rule delivered it, and the execution running it */
  event?: { id?: string; detail?: unknown };
  executionArn?: string;
  /** Advance: the request to reconcile */
  requestId?: string;
}

/**
 * Workflow task of the approval state machine (workflows/approval.ts): Begin creates the request and
 * opens its first step; Advance reconciles it after a wake or a timer. Throws on failure, so the
 * state machine's Retry and Catch see it.
 */
export const handler = middy(async (input: AdvanceInput): Promise<EngineResult> => {
  const deps = { sendMails: sendApprovalMails };
  const now = new Date();
  if (input.requestId) return advanceApproval(input.requestId, now, deps);
  const detail = ApprovalRequestDetailSchema.parse(input.event?.detail);
  return startApproval({ detail, ...(input.event?.id ? { eventId: input.event.id } : {}), executionArn: String(input.executionArn) }, now, deps);
}).use(injectLambdaContext(logger));
