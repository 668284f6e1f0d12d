import { apiHandler } from '../platform/api-handler';
import { addPolicyVersion } from './approval-policies';

/** PUT /approval-policies/{id}: the edited document becomes the next version; running requests keep theirs (ops, admin). */
export const handler = apiHandler(async (request) => ({
  status: 201,
  body: await addPolicyVersion(request.path('id'), request.body(), request.principal(), request.now),
}));
