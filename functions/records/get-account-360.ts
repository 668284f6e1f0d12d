import { apiHandler } from '../platform/api-handler';
import { getAccount360 } from './record-lists';

export const handler = apiHandler(async (request) => ({
  status: 200,
  body: await getAccount360(request.principal(), request.path('id')),
}));
