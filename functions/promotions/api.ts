import { listQuerySchema } from '../../schemas/api/route-spec';
import { PROMOTION_LIST_FILTERS, PromotionActionSchema, PROMOTION_ROUTES } from '../../schemas/api/routes/promotions';
import { Campaigns, Claims, Funds, Promotions } from '../../schemas/promotions/records';
import { parseInput } from '../platform/validation';
import { listRecordsRoute } from '../records';
import { createCampaign, effectReportById } from './campaigns';
import { createClaim, getClaim, submitClaim, updateClaim } from './claims';
import { fundStatement, openFund } from './fund-ledger';
import { cancelPromotion, closeOutPromotion, createPromotion, getPromotion, submitPromotion, updatePromotion } from './promotion-requests';
import { promotionView } from './promotion-store';
import { apiRouter, type ApiRoute } from '../platform/api-handler';
import { completeTask } from '../platform/step-functions';

/**
 * POST /promotions/{id}/{action}: what the rep does to a promotion.
 *   submit     validated (dates, lines, fund, currency), then Promotion.Submitted starts its lifecycle (202)
 *   cancel     before its start; a reservation goes back to the fund
 *   close-out  actual results and proof of execution; completes the lifecycle's close-out task
 */
const actOnPromotionRoute: ApiRoute = async (request) => {
  const { action } = parseInput(PromotionActionSchema, { action: request.path('action') }, 'path');
  const principal = request.principal();
  const id = request.path('id');
  switch (action) {
    case 'submit':
      return { status: 202, body: await submitPromotion(principal, id, request.now) };
    case 'cancel':
      return { status: 200, body: await cancelPromotion(principal, id, request.now) };
    case 'close-out':
      return {
        status: 200,
        body: await closeOutPromotion(principal, id, request.body(), request.now, completeTask),
      };
  }
};

/** POST /campaigns: marketing plans a campaign; Campaign.Planned schedules its settlement. */
const createCampaignRoute: ApiRoute = async (request) => ({ status: 201, body: await createCampaign(request.principal(), request.body(), request.now) });

const createClaimRoute: ApiRoute = async (request) => ({ status: 201, body: await createClaim(request.principal(), request.body(), request.now) });

/** POST /funds: finance opens a fund with its allocation (the ledger's first line). */
const createFundRoute: ApiRoute = async (request) => ({ status: 201, body: await openFund(request.principal(), request.body(), request.now) });

const createPromotionRoute: ApiRoute = async (request) => ({ status: 201, body: await createPromotion(request.principal(), request.body(), request.now) });

/** GET /campaigns/{id}/report: the effect report stored at settlement (a campaign's, or a campaign-less promotion's), late events flagged. */
const getCampaignReportRoute: ApiRoute = async (request) => ({ status: 200, body: await effectReportById(request.principal(), request.path('id')) });

const getClaimRoute: ApiRoute = async (request) => ({ status: 200, body: await getClaim(request.principal(), request.path('id')) });

/** GET /funds/{id}/statement: every movement with the balance after it; `balances` says it adds up to the fund's figures. */
const getFundStatementRoute: ApiRoute = async (request) => ({ status: 200, body: await fundStatement(request.principal(), request.path('id')) });

/** GET /promotions/{id}: the promotion with its status and money (approved, reserved, claimed, released). */
const getPromotionRoute: ApiRoute = async (request) => ({ status: 200, body: await getPromotion(request.principal(), request.path('id')) });

/** GET /campaigns: campaigns with their status, or one owner's. */
const listCampaignsRoute = listRecordsRoute(Campaigns, () => listQuerySchema(PROMOTION_LIST_FILTERS.campaigns), promotionView);

/** GET /claims?promotionId=: a promotion's expense claims (one Query of its collection), or claims by status or owner. */
const listClaimsRoute = listRecordsRoute(Claims, () => listQuerySchema(PROMOTION_LIST_FILTERS.claims), promotionView);

/** GET /funds: the funds the caller may see (finance all; sales their department's), by region or department. */
const listFundsRoute = listRecordsRoute(Funds, () => listQuerySchema(PROMOTION_LIST_FILTERS.funds), promotionView);

/** GET /promotions: the promotions the caller may see, by status, owner, department or region, each with its money. */
const listPromotionsRoute = listRecordsRoute(Promotions, () => listQuerySchema(PROMOTION_LIST_FILTERS.promotions), promotionView);

/** POST /claims/{id}/submit: held against the promotion's claimable budget and its evidence; Claim.Submitted starts the claim workflow. */
const submitClaimRoute: ApiRoute = async (request) => ({ status: 202, body: await submitClaim(request.principal(), request.path('id'), request.now) });

/** PATCH /claims/{id}: revise a draft or rejected claim (its owner; the version read), to submit it again. */
const updateClaimRoute: ApiRoute = async (request) => ({
  status: 200, body: await updateClaim(request.principal(), request.path('id'), request.body(), request.now),
});

const updatePromotionRoute: ApiRoute = async (request) => ({
  status: 200, body: await updatePromotion(request.principal(), request.path('id'), request.body(), request.now),
});

/** The promotions API: one function behind a router over the route catalogue's promotions routes. */
export const handler = apiRouter('promotions', PROMOTION_ROUTES, {
  'act-on-promotion': actOnPromotionRoute,
  'create-campaign': createCampaignRoute,
  'create-claim': createClaimRoute,
  'create-fund': createFundRoute,
  'create-promotion': createPromotionRoute,
  'get-campaign-report': getCampaignReportRoute,
  'get-claim': getClaimRoute,
  'get-fund-statement': getFundStatementRoute,
  'get-promotion': getPromotionRoute,
  'list-campaigns': listCampaignsRoute,
  'list-claims': listClaimsRoute,
  'list-funds': listFundsRoute,
  'list-promotions': listPromotionsRoute,
  'submit-claim': submitClaimRoute,
  'update-claim': updateClaimRoute,
  'update-promotion': updatePromotionRoute,
});
