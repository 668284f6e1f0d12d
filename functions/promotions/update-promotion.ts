import { apiHandler } from '../shared/api-handler';
import { updatePromotion } from '../shared/promotions';

export const handler = apiHandler(async (request) => ({
  status: 200, body: await updatePromotion(request.principal(), request.path('id'), request.body(), request.now),
}));
