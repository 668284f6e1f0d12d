import * as z from '../../zod';
import {
  campaignRecordSchema, Campaigns, claimRecordSchema, Claims, CloseOutSchema, effectReportViewSchema, fundRecordSchema, Funds, fundStatementSchema,
  promotionRecordSchema, Promotions,
} from '../../promotions/records';
import { listQuerySchema, listResponseSchema, type HttpMethod, type ListFilter, type RouteContract, type RouteSpec } from '../route-spec';

// Trade promotions, funds, campaigns, expense claims: the fund statement carries the fund, the
// promotion carries its money.

/** The filters each promotion list offers (any of them together, as for every record list). */
export const PROMOTION_LIST_FILTERS = {
  funds: ['region', 'departmentId'],
  campaigns: ['ownerId'],
  promotions: ['status', 'ownerId', 'departmentId', 'region'],
  claims: ['promotionId', 'status', 'ownerId'],
} as const satisfies Record<string, readonly ListFilter[]>;
export const PromotionActionSchema = z.strictObject({ action: z.enum(['submit', 'cancel', 'close-out']) });
function promotionRoutes(): RouteSpec[] {
  const jwt = { auth: 'jwt' } as const;
  const read = (path: string, operation: string, tag: string, summary: string, response: () => z.ZodMiniType): RouteSpec =>
    ({ ...jwt, method: 'GET', path, operation, tag, summary, contract: () => ({ response: response() }) });
  const write = (method: HttpMethod, path: string, operation: string, tag: string, summary: string, contract: () => RouteContract): RouteSpec =>
    ({ ...jwt, method, path, operation, tag, summary, contract });
  const list = (path: string, operation: string, tag: string, summary: string, filters: readonly ListFilter[], item: () => z.ZodMiniType): RouteSpec =>
    ({ ...jwt, method: 'GET', path, operation, tag, summary, contract: () => ({ query: listQuerySchema(filters), response: listResponseSchema(item()) }) });
  return [
    list('/funds', 'promotions/list-funds', 'funds', 'Funds the caller may see, with their balances', PROMOTION_LIST_FILTERS.funds, fundRecordSchema),
    write('POST', '/funds', 'promotions/create-fund', 'funds', 'Open a fund with its allocation (finance)', () => ({ body: Funds.create, response: fundRecordSchema() })),
    read('/funds/{id}/statement', 'promotions/get-fund-statement', 'funds', 'The fund statement: every movement and the balance after it, balancing to the minor unit', fundStatementSchema),
    list('/campaigns', 'promotions/list-campaigns', 'campaigns', 'Campaigns, with their status (planned, settled)', PROMOTION_LIST_FILTERS.campaigns, campaignRecordSchema),
    write('POST', '/campaigns', 'promotions/create-campaign', 'campaigns', 'Plan a campaign (its settlement is scheduled for its end plus the settlement delay)', () => ({ body: Campaigns.create, response: campaignRecordSchema() })),
    read('/campaigns/{id}/report', 'promotions/get-campaign-report', 'campaigns', 'The effect report of a settled campaign, or of a promotion settled without one (by its id); late events flagged. ' +
      "A reader of only some of a campaign's promotions (a sales rep) gets those promotions' report (scope)", effectReportViewSchema),
    list('/promotions', 'promotions/list-promotions', 'promotions', 'Promotions the caller may see, by status, owner, department or region', PROMOTION_LIST_FILTERS.promotions, promotionRecordSchema),
    write('POST', '/promotions', 'promotions/create-promotion', 'promotions', 'Draft a promotion', () => ({ body: Promotions.create, response: promotionRecordSchema() })),
    read('/promotions/{id}', 'promotions/get-promotion', 'promotions', 'A promotion with its status and money (approved, reserved, claimed, released)', promotionRecordSchema),
    write('PATCH', '/promotions/{id}', 'promotions/update-promotion', 'promotions', 'Revise a draft or rejected promotion (send the version you read)', () => ({ body: Promotions.update, response: promotionRecordSchema() })),
    write('POST', '/promotions/{id}/{action}', 'promotions/act-on-promotion', 'promotions',
      'submit (validates dates, lines, fund and currency; starts the lifecycle), cancel (before the start; the reservation goes back), ' +
      'close-out (body: actual results and proof of execution)', () => ({ body: CloseOutSchema, response: promotionRecordSchema() })),
    write('POST', '/claims', 'promotions/create-claim', 'claims', 'Draft an expense claim on a closed-out promotion', () => ({ body: Claims.create, response: claimRecordSchema() })),
    list('/claims', 'promotions/list-claims', 'claims', "A promotion's expense claims (promotionId), or claims by status or owner", PROMOTION_LIST_FILTERS.claims, claimRecordSchema),
    read('/claims/{id}', 'promotions/get-claim', 'claims', 'One expense claim', claimRecordSchema),
    write('PATCH', '/claims/{id}', 'promotions/update-claim', 'claims', 'Revise a draft or rejected claim (send the version you read), then submit it again', () => ({ body: Claims.update, response: claimRecordSchema() })),
    write('POST', '/claims/{id}/submit', 'promotions/submit-claim', 'claims', 'Submit a claim for approval (within the claimable budget; each evidence reference once)', () => ({ response: claimRecordSchema() })),
  ];
}

export const PROMOTION_ROUTES = promotionRoutes();
