import { apiHandler } from '../platform/api-handler';
import { openFund } from './fund-ledger';

/** POST /funds: finance opens a fund with its allocation (the ledger's first line). */
export const handler = apiHandler(async (request) => ({ status: 201, body: await openFund(request.principal(), request.body(), request.now) }));
