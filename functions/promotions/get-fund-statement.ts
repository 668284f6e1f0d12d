import { apiHandler } from '../platform/api-handler';
import { fundStatement } from './fund-ledger';

/** GET /funds/{id}/statement: every movement with the balance after it; `balances` says it adds up to the fund's figures. */
export const handler = apiHandler(async (request) => ({ status: 200, body: await fundStatement(request.principal(), request.path('id')) }));
