import * as z from '../../schemas/zod';
import { ApprovalOutcomeKindSchema } from '../../schemas/events/approvals';
import { postClaim, returnClaim } from './claim-steps';
import { taskHandler } from '../platform/task-handler';

/**
 * Claim task, the approval's outcome applied: approved -> the fund's reserved money becomes spent, the
 * promotion's claimed total rises, the claim is payable; rejected or recalled -> back to the rep with
 * the reasons, its hold on the budget and its evidence let go.
 */
export const handler = taskHandler(
  z.object({ claimId: z.string(), submission: z.int(), outcome: ApprovalOutcomeKindSchema, reasons: z.array(z.string()) }),
  async (input, now) => (input.outcome === 'approved'
    ? postClaim(input.claimId, input.submission, now)
    : { posted: false, ...(await returnClaim(input.claimId, input.submission, input.reasons, now)) }),
  (input) => input.claimId);
