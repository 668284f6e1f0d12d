import type { ApprovalRequestRecord, ApprovalTask } from '../../schemas/approvals/request';
import type { ApprovalState } from './approval-store';
import { forbidden } from '../platform/errors';
import type { Principal } from '../platform/principal';

/**
 * Who may read an approval: its submitter, anyone who holds or held one of its tasks (or whose task was
 * delegated), and ops and admin. Its tokens (the engine's wait, the requester's callback) never leave
 * the server: with one, anybody could end the wait.
 */
export function assertMayRead(state: ApprovalState, principal: Principal) {
  const { request, tasks } = state;
  const involved = request.submitterId === principal.userId || tasks.some((t) => t.assigneeId === principal.userId || t.delegatedFrom === principal.userId);
  if (!involved && !principal.roles.some((r) => r === 'ops' || r === 'admin')) {
    throw forbidden(`approval ${request.requestId} is visible to its submitter, its approvers, ops and admin`);
  }
}

export function requestView(request: ApprovalRequestRecord) {
  const { taskToken: _t, callbackToken: _c, executionArn: _e, ...shown } = request;
  return shown;
}

export const approvalView = (state: ApprovalState) => ({ request: requestView(state.request), tasks: state.tasks as ApprovalTask[] });
