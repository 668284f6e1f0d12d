import { apiHandler } from '../shared/api-handler';
import { getAccount360 } from '../shared/record-lists';

export const handler = apiHandler(async (request) => ({
  status: 200,
  body: await getAccount360(request.principal(), request.path('id')),
}));
