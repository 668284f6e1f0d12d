import { apiHandler } from '../platform/api-handler';
import { getPromotion } from './promotions';

/** GET /promotions/{id}: the promotion with its status and money (approved, reserved, claimed, released). */
export const handler = apiHandler(async (request) => ({ status: 200, body: await getPromotion(request.principal(), request.path('id')) }));
