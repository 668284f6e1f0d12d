import { apiHandler } from '../platform/api-handler';
import { updatePromotion } from './promotions';

export const handler = apiHandler(async (request) => ({
  status: 200, body: await updatePromotion(request.principal(), request.path('id'), request.body(), request.now),
}));
