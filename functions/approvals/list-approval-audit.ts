import { apiHandler } from '../shared/api-handler';
import { readApproval } from '../shared/approval-store';
import { assertMayRead } from '../shared/approval-views';

/** GET /approvals/{id}/audit: the request's immutable audit trail, oldest first. */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const state = await readApproval(request.path('id'));
  assertMayRead(state, principal);
  return { status: 200, body: { items: state.audit } };
});
