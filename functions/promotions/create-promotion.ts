import { apiHandler } from '../shared/api-handler';
import { createPromotion } from '../shared/promotions';

export const handler = apiHandler(async (request) => ({ status: 201, body: await createPromotion(request.principal(), request.body(), request.now) }));
