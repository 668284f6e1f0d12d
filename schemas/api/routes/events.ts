import * as z from '../../zod';
import { PageQuerySchema } from '../../common';
import { EVENT_DETAIL_LIMITS, withinJsonLimits } from '../../json-limits';
import type { RouteSpec } from '../route-spec';

export const QuarantineQuerySchema = z.strictObject({ ...PageQuerySchema.shape });
export const InboundEventBodySchema = z.object({
  detailType: z.string(),
  detail: z.record(z.string(), z.unknown()).check(...withinJsonLimits(EVENT_DETAIL_LIMITS)),
});
export const InboundReceiptSchema = z.object({ eventId: z.string(), detailType: z.string(), duplicate: z.boolean() });

/** Events other systems send, and the ones refused. */
export const EVENT_ROUTES: RouteSpec[] = [
  {
    method: 'POST', path: '/events', operation: 'events/ingest-event', auth: 'signature', tag: 'events',
    summary: 'An event from another system, signed with its secret (headers x-tradeflow-source, x-tradeflow-timestamp, x-tradeflow-signature, idempotency-key)',
    contract: () => ({ body: InboundEventBodySchema, response: InboundReceiptSchema }),
  },
  {
    method: 'GET', path: '/events/quarantine', operation: 'events/list-quarantined-events', auth: 'jwt', tag: 'events',
    summary: 'Inbound events that were refused, kept for inspection (ops, admin)',
    contract: () => ({ query: QuarantineQuerySchema }),
  },
];
