import { apiHandler } from '../platform/api-handler';
import { readApproval } from './approval-store';
import { assertMayRead } from './approval-views';

/** GET /approvals/{id}/audit: the request's immutable audit trail, oldest first. */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const state = await readApproval(request.path('id'));
  assertMayRead(state, principal);
  return { status: 200, body: { items: state.audit } };
});
