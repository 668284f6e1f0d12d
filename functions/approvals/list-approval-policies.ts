import { apiHandler } from '../platform/api-handler';
import { listPolicies } from './approval-policies';

/** GET /approval-policies: every policy with its latest and active version. */
export const handler = apiHandler(async (request) => {
  request.principal();
  return { status: 200, body: { items: await listPolicies() } };
});
