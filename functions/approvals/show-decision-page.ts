import { apiHandler } from '../platform/api-handler';
import { showDecisionPage } from './decision-links';

/** GET /approval-links/{token}: the confirmation page a mail's decision link opens (no login; decides nothing). */
export const handler = apiHandler(async (request) => showDecisionPage(request.path('token'), new Date(request.now)));
