import { apiHandler } from '../platform/api-handler';
import { getClaim } from './claims';

export const handler = apiHandler(async (request) => ({ status: 200, body: await getClaim(request.principal(), request.path('id')) }));
