import { apiHandler } from '../platform/api-handler';
import { readApproval } from './approval-store';
import { approvalView, assertMayRead } from './approval-views';

/** GET /approvals/{id}: the request (subject snapshot, pinned policy, steps) and its tasks. */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const state = await readApproval(request.path('id'), { audit: false });
  assertMayRead(state, principal);
  return { status: 200, body: approvalView(state) };
});
