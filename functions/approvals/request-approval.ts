import { randomUUID } from 'node:crypto';
import { StartApprovalBodySchema } from '../../schemas/approvals/request';
import { ApprovalRequested, type ApprovalRequestDetail } from '../../schemas/events';
import { apiHandler } from '../platform/api-handler';
import { findPolicyFor } from './approval-policies';
import { invalidField } from '../platform/errors';
import { putEvent } from '../platform/event-bus';
import { parseInput } from '../platform/validation';

/**
 * POST /approvals: the caller asks for approval of a subject. Refused at once (400) when no active
 * policy applies; otherwise Approval.Requested goes on the bus and the engine takes it from there (202).
 */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const body = parseInput(StartApprovalBodySchema, request.body(), 'body');
  const policy = await findPolicyFor(body.subject, body.policyId);
  if ('reason' in policy) throw invalidField(body.policyId ? 'body.policyId' : 'body.subject', policy.reason);
  const detail: ApprovalRequestDetail = {
    requestId: `apr-${randomUUID()}`,
    subject: body.subject,
    submitterId: principal.userId,
    policyId: policy.policyId,
  };
  await putEvent(ApprovalRequested.source, ApprovalRequested.detailType, detail);
  return { status: 202, body: { requestId: detail.requestId, policyId: policy.policyId, policyVersion: policy.version } };
});
