import { apiHandler } from '../platform/api-handler';
import { submitClaim } from './claims';

/** POST /claims/{id}/submit: held against the promotion's claimable budget and its evidence; Claim.Submitted starts the claim workflow. */
export const handler = apiHandler(async (request) => ({ status: 202, body: await submitClaim(request.principal(), request.path('id'), request.now) }));
