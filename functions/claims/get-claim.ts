import { apiHandler } from '../shared/api-handler';
import { getClaim } from '../shared/claims';

export const handler = apiHandler(async (request) => ({ status: 200, body: await getClaim(request.principal(), request.path('id')) }));
