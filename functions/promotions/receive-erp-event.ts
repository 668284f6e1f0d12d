import * as z from '../../schemas/zod';
import { ClaimPaid } from '../../schemas/events';
import { attributeEvent } from './campaigns';
import { markClaimPaid } from './claims';
import { taskHandler } from '../platform/task-handler';

const EventSchema = z.object({
  id: z.string(),
  'detail-type': z.enum(['Order.Placed', 'Payment.Received', 'Lead.Captured', 'Claim.Paid']),
  detail: z.record(z.string(), z.unknown()),
});

/**
 * Rule target of what other systems tell the promotions domain: an order, payment or lead whose event
 * names a campaign or promotion is attributed to it (once per its id); Claim.Paid marks the claim paid (once).
 */
export const handler = taskHandler(EventSchema, async (event, now) => {
  if (event['detail-type'] === 'Claim.Paid') return markClaimPaid(ClaimPaid.detail.parse(event.detail), now);
  return attributeEvent({ detailType: event['detail-type'], eventId: event.id, detail: event.detail }, now);
});
