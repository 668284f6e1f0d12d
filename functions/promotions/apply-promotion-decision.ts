import * as z from '../../schemas/zod';
import { ApprovalOutcomeKindSchema } from '../../schemas/events/approvals';
import { reserveOnApproval, returnToRep } from './promotion-lifecycle';
import { taskHandler } from '../platform/task-handler';

/**
 * Lifecycle task, the approval's outcome applied: approved -> reserve the budget from the fund and
 * mark approved (a fund that cannot give it refuses, and the promotion returns with its reason);
 * rejected or recalled -> back to the rep with the reasons.
 */
export const handler = taskHandler(
  z.object({ promotionId: z.string(), submission: z.int(), outcome: ApprovalOutcomeKindSchema, reasons: z.array(z.string()) }),
  async (input, now) => (input.outcome === 'approved'
    ? reserveOnApproval(input.promotionId, input.submission, now)
    : { reserved: false, ...(await returnToRep(input.promotionId, input.submission, input.reasons, now)) }),
  (input) => input.promotionId);
