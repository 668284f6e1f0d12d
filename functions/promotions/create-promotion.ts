import { apiHandler } from '../platform/api-handler';
import { createPromotion } from './promotions';

export const handler = apiHandler(async (request) => ({ status: 201, body: await createPromotion(request.principal(), request.body(), request.now) }));
