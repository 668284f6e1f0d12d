import { apiHandler } from '../platform/api-handler';
import { submitDecisionPage } from './decision-links';

/** POST /approval-links/{token}: the confirmation page's form; the link's one decision. */
export const handler = apiHandler(async (request) => submitDecisionPage(request.path('token'), request.rawBody(), new Date(request.now)));
