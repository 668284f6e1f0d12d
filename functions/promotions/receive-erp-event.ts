import { ClaimPaid, LeadCaptured, OrderPlaced, PaymentReceived } from '../../schemas/events';
import { eventHandler, isEvent } from '../platform/task-handler';
import { attributeEvent } from './campaigns';
import { markClaimPaid } from './claim-steps';

/**
 * Rule target of what other systems tell the promotions domain: an order, payment or lead whose event
 * names a campaign or promotion is attributed to it (once per its id); Claim.Paid marks the claim paid (once).
 */
export const handler = eventHandler([OrderPlaced, PaymentReceived, LeadCaptured, ClaimPaid], async (event, now) => {
  if (isEvent(event, ClaimPaid)) return markClaimPaid(event.detail, now);
  return attributeEvent(event, now);
});
