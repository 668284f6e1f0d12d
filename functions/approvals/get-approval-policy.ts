import { apiHandler } from '../platform/api-handler';
import { readPolicy } from './approval-policies';

/** GET /approval-policies/{id}: the policy and all its versions, oldest first. */
export const handler = apiHandler(async (request) => {
  request.principal();
  return { status: 200, body: await readPolicy(request.path('id')) };
});
