import { ApprovalPolicySchema } from '../../approvals/policy';
import {
  ActivatePolicyBodySchema, DecisionBodySchema, DryRunBodySchema, InboxQuerySchema, ReassignBodySchema, RecallBodySchema,
  StartApprovalBodySchema, ValidatePolicyBodySchema,
} from '../../approvals/request';
import type { RouteSpec } from '../route-spec';

/** Approval policies, requests, decisions and the pages mail links open. */
function approvalRoutes(): RouteSpec[] {
  const policies = { auth: 'jwt', tag: 'approval-policies' } as const;
  const approvals = { auth: 'jwt', tag: 'approvals' } as const;
  return [
    { ...policies, method: 'POST', path: '/approval-policies', operation: 'approvals/create-approval-policy', contract: () => ({ body: ApprovalPolicySchema }), summary: 'A new approval policy, as version 1 (inactive until activated; ops, admin)' },
    { ...policies, method: 'GET', path: '/approval-policies', operation: 'approvals/list-approval-policies', summary: 'Every approval policy with its latest and active version' },
    { ...policies, method: 'POST', path: '/approval-policies/validate', operation: 'approvals/validate-approval-policy', contract: () => ({ body: ValidatePolicyBodySchema }), summary: 'Check a draft policy without saving it, and dry-run it against a sample subject' },
    { ...policies, method: 'GET', path: '/approval-policies/{id}', operation: 'approvals/get-approval-policy', summary: 'A policy and all its versions' },
    { ...policies, method: 'PUT', path: '/approval-policies/{id}', operation: 'approvals/update-approval-policy', contract: () => ({ body: ApprovalPolicySchema }), summary: 'Edit a policy: the document becomes its next version (running requests keep theirs)' },
    { ...policies, method: 'POST', path: '/approval-policies/{id}/activate', operation: 'approvals/activate-approval-policy', contract: () => ({ body: ActivatePolicyBodySchema }), summary: 'New requests run under this version from now on' },
    { ...policies, method: 'POST', path: '/approval-policies/{id}/dry-run', operation: 'approvals/dry-run-approval-policy', contract: () => ({ body: DryRunBodySchema }), summary: 'Which steps and approvers a sample request would get' },
    { ...approvals, method: 'POST', path: '/approvals', operation: 'approvals/request-approval', contract: () => ({ body: StartApprovalBodySchema }), summary: 'Ask for approval of a subject (202: the engine runs it)' },
    { ...approvals, method: 'GET', path: '/approvals', operation: 'approvals/list-my-approvals', contract: () => ({ query: InboxQuerySchema }), summary: 'The requests the caller submitted, newest first' },
    { ...approvals, method: 'GET', path: '/approval-inbox', operation: 'approvals/list-approval-inbox', contract: () => ({ query: InboxQuerySchema }), summary: "The caller's open approval tasks, soonest due first" },
    { ...approvals, method: 'GET', path: '/approvals/{id}', operation: 'approvals/get-approval', summary: 'A request with its steps and tasks (submitter, approvers, ops, admin)' },
    { ...approvals, method: 'GET', path: '/approvals/{id}/audit', operation: 'approvals/list-approval-audit', summary: "A request's immutable audit trail" },
    { ...approvals, method: 'POST', path: '/approvals/{id}/recall', operation: 'approvals/recall-approval', contract: () => ({ body: RecallBodySchema }), summary: 'The submitter withdraws a pending request' },
    { ...approvals, method: 'POST', path: '/approvals/{id}/tasks/{taskId}/decision', operation: 'approvals/decide-approval-task', contract: () => ({ body: DecisionBodySchema }), summary: 'Approve, reject or request changes (a reason is required for the last two)' },
    { ...approvals, method: 'POST', path: '/approvals/{id}/tasks/{taskId}/reassign', operation: 'approvals/reassign-approval-task', contract: () => ({ body: ReassignBodySchema }), summary: 'Hand an open task to someone else (ops, admin)' },
    { auth: 'none', tag: 'approvals', method: 'GET', path: '/approval-links/{token}', operation: 'approvals/show-decision-page', summary: "The confirmation page of a mail's decision link (decides nothing)" },
    { auth: 'none', tag: 'approvals', method: 'POST', path: '/approval-links/{token}', operation: 'approvals/submit-decision-page', summary: "The confirmation page's decision: once per link" },
  ];
}

export const APPROVAL_ROUTES = approvalRoutes();
