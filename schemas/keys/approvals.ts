/**
 * Approval policies and requests. A policy keeps a head (what is active, the latest version) and one
 * immutable item per version; heads are listed through byType. A request keeps everything in one item
 * collection, read with one Query: the request itself, one item per approval task, and the audit trail
 * (sorted by time). A pending task is in its assignee's inbox (byOwner); deciding it removes it there.
 */
import { listPk } from './table';

type Item = Record<string, unknown>;

export const APPROVAL_POLICY_TYPE = 'APPROVAL_POLICY';
export const APPROVAL_REQUEST_TYPE = 'APPROVAL';
export const APPROVAL_TASK_TYPE = 'APPROVAL_TASK';
export const APPROVAL_AUDIT_TYPE = 'APPROVAL_AUDIT';
export const APPROVAL_SK = { request: 'REQUEST', taskPrefix: 'TASK#', auditPrefix: 'AUDIT#', policyHead: 'HEAD', policyVersionPrefix: 'VERSION#' } as const;

export const approvalPolicyHeadKey = (policyId: string) => ({ pk: `${APPROVAL_POLICY_TYPE}#${policyId}`, sk: APPROVAL_SK.policyHead });
export const approvalPolicyVersionKey = (policyId: string, version: number) => ({
  pk: `${APPROVAL_POLICY_TYPE}#${policyId}`,
  sk: `${APPROVAL_SK.policyVersionPrefix}${String(version).padStart(6, '0')}`,
});
/** A policy head's index keys: every policy, by id. */
export const approvalPolicyIndexKeys = (policyId: string): Item => ({ byTypePk: listPk.byType(APPROVAL_POLICY_TYPE), byTypeSk: policyId });

export const approvalRequestPk = (requestId: string) => `${APPROVAL_REQUEST_TYPE}#${requestId}`;
export const approvalRequestKey = (requestId: string) => ({ pk: approvalRequestPk(requestId), sk: APPROVAL_SK.request });
/** A request's index keys: the submitter's requests, newest first, and requests by status. */
export const approvalRequestIndexKeys = (request: { requestId: string; submitterId: string; status: string; createdAt: string }): Item => ({
  byOwnerPk: listPk.byOwner(APPROVAL_REQUEST_TYPE, request.submitterId),
  byOwnerSk: `${request.createdAt}#${request.requestId}`,
  byStatusPk: listPk.byStatus(APPROVAL_REQUEST_TYPE, request.status),
  byStatusSk: `${request.createdAt}#${request.requestId}`,
});
export const approvalTaskKey = (requestId: string, taskId: string) => ({ pk: approvalRequestPk(requestId), sk: `${APPROVAL_SK.taskPrefix}${taskId}` });
/** A pending task's inbox keys (its assignee's, soonest due first); removed when the task is decided. */
export const approvalInboxKeys = (assigneeId: string, dueAt: string, requestId: string, taskId: string): Item => ({
  byOwnerPk: listPk.byOwner(APPROVAL_TASK_TYPE, assigneeId),
  byOwnerSk: `${dueAt}#${requestId}#${taskId}`,
});
export const approvalAuditKey = (requestId: string, at: string, entryId: string) => ({
  pk: approvalRequestPk(requestId),
  sk: `${APPROVAL_SK.auditPrefix}${at}#${entryId}`,
});
