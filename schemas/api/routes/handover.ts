import * as z from '../../zod';
import { HandoverBodySchema, handoverItemsPageSchema, handoverPreviewSchema, handoverRecordSchema } from '../../handover/handover';
import type { RouteSpec } from '../route-spec';

export const HandoverItemsQuerySchema = z.strictObject({ cursor: z.optional(z.string().check(z.regex(/^[0-9]{1,6}$/, 'must be a cursor this list gave'))) });

/**
 * Work handover: a user's book to other users. Served by the records domain: it changes who owns records
 * (and, at its end, a user's status), which is that domain's business.
 */
export const HANDOVER_ROUTES: RouteSpec[] = [
  {
    method: 'POST', path: '/handovers/preview', operation: 'records/preview-handover', auth: 'jwt', tag: 'handovers',
    summary: 'What a handover would move to whom, counts per kind, and what cannot move and why (ops, admin); nothing is written',
    contract: () => ({ body: HandoverBodySchema, response: handoverPreviewSchema() }),
  },
  {
    method: 'POST', path: '/handovers', operation: 'records/start-handover', auth: 'jwt', tag: 'handovers',
    summary: 'Hand a user\'s book to other users (ops, admin): 202, its workflow moves item by item',
    contract: () => ({ body: HandoverBodySchema, response: handoverRecordSchema() }),
  },
  {
    method: 'GET', path: '/handovers', operation: 'records/list-handovers', auth: 'jwt', tag: 'handovers',
    summary: 'The newest handovers (ops, admin)', contract: () => ({ response: z.object({ items: z.array(handoverRecordSchema()) }) }),
  },
  {
    method: 'GET', path: '/handovers/{id}', operation: 'records/get-handover', auth: 'jwt', tag: 'handovers',
    summary: 'A handover: from whom to whom, its progress per kind, and what could not move and why',
    contract: () => ({ response: handoverRecordSchema() }),
  },
  {
    method: 'GET', path: '/handovers/{id}/items', operation: 'records/list-handover-items', auth: 'jwt', tag: 'handovers',
    summary: 'The handover\'s items, a page at a time, each with its outcome',
    contract: () => ({ query: HandoverItemsQuerySchema, response: handoverItemsPageSchema() }),
  },
];
