import { apiHandler } from '../shared/api-handler';
import { createClaim } from '../shared/claims';

export const handler = apiHandler(async (request) => ({ status: 201, body: await createClaim(request.principal(), request.body(), request.now) }));
