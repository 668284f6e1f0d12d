import { apiHandler } from '../platform/api-handler';
import { createClaim } from './claims';

export const handler = apiHandler(async (request) => ({ status: 201, body: await createClaim(request.principal(), request.body(), request.now) }));
