import { APPROVAL_ROUTES } from '../../schemas/api/routes/approvals';
import { ApprovalPolicySchema } from '../../schemas/approvals/policy';
import { ActivatePolicyBodySchema, type ApprovalRequestRecord, DecisionBodySchema, DryRunBodySchema, InboxQuerySchema, ReassignBodySchema, RecallBodySchema, StartApprovalBodySchema, ValidatePolicyBodySchema } from '../../schemas/approvals/request';
import { ApprovalRequested } from '../../schemas/events';
import { APPROVAL_REQUEST_TYPE, APPROVAL_TASK_TYPE, listPk } from '../../schemas/keys';
import { invalidField } from '../platform/errors';
import { publish } from '../platform/event-bus';
import { isDomainError } from '../platform/http';
import { parseInput } from '../platform/validation';
import { listIndexPage } from '../records';
import { decideTask, reassignTask, recallApproval } from './approval-decisions';
import { dryRun } from './approval-dry-run';
import { activatePolicyVersion, addPolicyVersion, createPolicy, findPolicyFor, listPolicies, pickVersion, readPolicy } from './approval-policies';
import { readApproval } from './approval-store';
import { approvalView, assertMayRead, requestView } from './approval-views';
import { showDecisionPage, submitDecisionPage } from './decision-links';
import { subjectFor } from './approval-subjects';
import { randomUUID } from 'node:crypto';
import { apiRouter, type ApiRoute } from '../platform/api-handler';

/** POST /approval-policies/{id}/activate: new requests run under this version from now on (ops, admin). */
const activateApprovalPolicyRoute: ApiRoute = async (request) => {
  const { version } = parseInput(ActivatePolicyBodySchema, request.body(), 'body');
  return { status: 200, body: await activatePolicyVersion(request.path('id'), version, request.principal(), request.now) };
};

/** POST /approval-policies: a new policy as version 1, inactive until activated (ops, admin). */
const createApprovalPolicyRoute: ApiRoute = async (request) => ({ status: 201, body: await createPolicy(request.body(), request.principal(), request.now) });

/** POST /approvals/{id}/tasks/{taskId}/decision: approve, reject or request changes (a reason is required for the last two). */
const decideApprovalTaskRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const body = parseInput(DecisionBodySchema, request.body(), 'body');
  const { task } = await decideTask(request.path('id'), request.path('taskId'), body, principal.userId, request.now);
  return { status: 200, body: task };
};

/** POST /approval-policies/{id}/dry-run: which steps and approvers a sample request would get under a version. */
const dryRunApprovalPolicyRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const body = parseInput(DryRunBodySchema, request.body(), 'body');
  const version = pickVersion(await readPolicy(request.path('id')), body.version);
  return { status: 200, body: { version: version.version, plan: await dryRun(version.document, body.subject, body.submitterId ?? principal.userId, new Date(request.now)) } };
};

/** GET /approval-policies/{id}: the policy and all its versions, oldest first. */
const getApprovalPolicyRoute: ApiRoute = async (request) => {
  request.principal();
  return { status: 200, body: await readPolicy(request.path('id')) };
};

/** GET /approvals/{id}: the request (subject snapshot, pinned policy, steps) and its tasks. */
const getApprovalRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const state = await readApproval(request.path('id'), { audit: false });
  assertMayRead(state, principal);
  return { status: 200, body: approvalView(state) };
};

/** GET /approvals/{id}/audit: the request's immutable audit trail, oldest first. */
const listApprovalAuditRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const state = await readApproval(request.path('id'));
  assertMayRead(state, principal);
  return { status: 200, body: { items: state.audit } };
};

/** GET /approval-inbox: the caller's open approval tasks, soonest due first, each with what it is about. */
const listApprovalInboxRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const query = parseInput(InboxQuerySchema, request.query, 'query');
  return { status: 200, body: await listIndexPage('byOwner', listPk.byOwner(APPROVAL_TASK_TYPE, principal.userId), query) };
};

/** GET /approval-policies: every policy with its latest and active version. */
const listApprovalPoliciesRoute: ApiRoute = async (request) => {
  request.principal();
  return { status: 200, body: { items: await listPolicies() } };
};

/** GET /approvals: the requests the caller submitted, newest first. */
const listMyApprovalsRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const query = parseInput(InboxQuerySchema, request.query, 'query');
  const page = await listIndexPage('byOwner', listPk.byOwner(APPROVAL_REQUEST_TYPE, principal.userId), { ...query, newestFirst: true });
  return { status: 200, body: { ...page, items: page.items.map((item) => requestView(item as unknown as ApprovalRequestRecord)) } };
};

/** POST /approvals/{id}/tasks/{taskId}/reassign: ops hands an open task to someone else (201: the new task). */
const reassignApprovalTaskRoute: ApiRoute = async (request) => {
  const body = parseInput(ReassignBodySchema, request.body(), 'body');
  return { status: 201, body: await reassignTask(request.path('id'), request.path('taskId'), body.assigneeId, body.comment, request.principal(), request.now) };
};

/** POST /approvals/{id}/recall: the submitter withdraws a pending request (202: the engine ends it as recalled). */
const recallApprovalRoute: ApiRoute = async (request) => {
  const body = request.rawBody() ? parseInput(RecallBodySchema, request.body(), 'body') : {};
  return { status: 202, body: await recallApproval(request.path('id'), request.principal(), body.reason, request.now) };
};

/**
 * POST /approvals: the caller asks for approval of a subject: a record they may read (read from it), or
 * a free-form one (ops and admin). Refused at once (400) when no active policy applies; otherwise
 * Approval.Requested goes on the bus and the engine takes it from there (202).
 */
const requestApprovalRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const body = parseInput(StartApprovalBodySchema, request.body(), 'body');
  const subject = await subjectFor(body.subject, principal);
  const policy = await findPolicyFor(subject, body.policyId);
  if ('reason' in policy) throw invalidField(body.policyId ? 'body.policyId' : 'body.subject', policy.reason);
  const requestId = `apr-${randomUUID()}`;
  await publish(ApprovalRequested, { requestId, subject, submitterId: principal.userId, policyId: policy.policyId });
  return { status: 202, body: { requestId, policyId: policy.policyId, policyVersion: policy.version } };
};

/** GET /approval-links/{token}: the confirmation page a mail's decision link opens (no login; decides nothing). */
const showDecisionPageRoute: ApiRoute = async (request) => showDecisionPage(request.path('token'), new Date(request.now));

/** POST /approval-links/{token}: the confirmation page's form; the link's one decision. */
const submitDecisionPageRoute: ApiRoute = async (request) => submitDecisionPage(request.path('token'), request.rawBody(), new Date(request.now));

/** PUT /approval-policies/{id}: the edited document becomes the next version; running requests keep theirs (ops, admin). */
const updateApprovalPolicyRoute: ApiRoute = async (request) => ({
  status: 201,
  body: await addPolicyVersion(request.path('id'), request.body(), request.principal(), request.now),
});

/**
 * POST /approval-policies/validate: checks a draft document without saving it; with a sample subject,
 * also dry-runs it. A valid request always gets 200: `valid` and `errors` say what is wrong with the draft.
 */
const validateApprovalPolicyRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const body = parseInput(ValidatePolicyBodySchema, request.body(), 'body');
  try {
    const document = parseInput(ApprovalPolicySchema, body.document, 'body');
    const plan = body.subject ? await dryRun(document, body.subject, body.submitterId ?? principal.userId, new Date(request.now)) : undefined;
    return { status: 200, body: { valid: true, errors: [], ...(plan ? { plan } : {}) } };
  } catch (error) {
    if (!isDomainError(error) || error.kind !== 'invalid') throw error;
    return { status: 200, body: { valid: false, errors: error.issues.map((i) => ({ ...i, field: i.field.replace(/^body/, 'document') })) } };
  }
};

/** The approvals API: one function behind a router over the route catalogue's approvals routes. */
export const handler = apiRouter('approvals', APPROVAL_ROUTES, {
  'activate-approval-policy': activateApprovalPolicyRoute,
  'create-approval-policy': createApprovalPolicyRoute,
  'decide-approval-task': decideApprovalTaskRoute,
  'dry-run-approval-policy': dryRunApprovalPolicyRoute,
  'get-approval-policy': getApprovalPolicyRoute,
  'get-approval': getApprovalRoute,
  'list-approval-audit': listApprovalAuditRoute,
  'list-approval-inbox': listApprovalInboxRoute,
  'list-approval-policies': listApprovalPoliciesRoute,
  'list-my-approvals': listMyApprovalsRoute,
  'reassign-approval-task': reassignApprovalTaskRoute,
  'recall-approval': recallApprovalRoute,
  'request-approval': requestApprovalRoute,
  'show-decision-page': showDecisionPageRoute,
  'submit-decision-page': submitDecisionPageRoute,
  'update-approval-policy': updateApprovalPolicyRoute,
  'validate-approval-policy': validateApprovalPolicyRoute,
});
