import { apiHandler } from '../platform/api-handler';
import { updateClaim } from './claims';

/** PATCH /claims/{id}: revise a draft or rejected claim (its owner; the version read), to submit it again. */
export const handler = apiHandler(async (request) => ({
  status: 200, body: await updateClaim(request.principal(), request.path('id'), request.body(), request.now),
}));
