import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DecisionBodySchema } from '../../schemas/approvals/request';
import { formatDateTime } from '../../schemas/format';
import { usedLinkKey } from '../../schemas/keys';
import type { ApiResult } from '../platform/api-handler';
import type { ApprovalTask } from '../../schemas/approvals/request';
import { decideTask, type LinkUse } from './approval-decisions';
import { requestPageLink, subjectFacts, subjectName } from './approval-mail';
import { readApproval, readUserContact, type ApprovalState } from './approval-store';
import { DEFAULT_FORMATS } from '../platform/mail-content';
import { escapeHtml, htmlPage } from '../platform/html-page';
import { isDomainError } from '../platform/http';
import { linkSecrets } from '../platform/link-secret';
import { LINK_PURPOSES, verifyLink } from '../platform/signed-links';
import { documentClient, tableName } from '../platform/table';

/*
 * The pages an approver's mail link opens. The token in the URL is the credential (no login):
 * signed for one task and one approver, expiring, usable once. GET only shows the confirmation page;
 * the page's POST decides, marking the link used in the same transaction as the decision.
 */

const REFUSALS = {
  malformed: [400, 'This is not a valid approval link.'],
  'bad-signature': [400, 'This is not a valid approval link.'],
  'wrong-purpose': [400, 'This link is not for approvals.'],
  expired: [410, 'This approval link has expired. Open the approval in Tradeflow instead.'],
} as const;

const linkUsed = async (linkId: string) =>
  Boolean((await documentClient.send(new GetCommand({ TableName: tableName(), Key: usedLinkKey(linkId), ConsistentRead: true }))).Item);

type Opened =
  | { page: ApiResult }
  | { page?: undefined; state: ApprovalState; task: ApprovalTask; approverId: string; link: LinkUse };

/** The link's task, or the page that says why there is nothing to decide. */
async function open(token: string, now: Date): Promise<Opened> {
  const verified = verifyLink(token, await linkSecrets(), { purpose: LINK_PURPOSES.approvalDecision, now });
  if (!verified.ok) {
    const [status, message] = REFUSALS[verified.reason];
    return { page: htmlPage(status, 'Approval link', `<p>${escapeHtml(message)}</p>`) };
  }
  const { r: requestId = '', t: taskId = '', u: approverId = '' } = verified.subject;
  if (await linkUsed(verified.linkId)) return { page: htmlPage(409, 'Already decided', '<p>This link was used already; each decision link works once.</p>') };
  const state = await readApproval(requestId, { audit: false }).catch(() => undefined);
  const task = state?.tasks.find((t) => t.taskId === taskId);
  if (!state || !task) return { page: htmlPage(404, 'Approval link', '<p>This approval no longer exists.</p>') };
  if (task.status !== 'pending' || state.request.status !== 'pending') {
    const why = state.request.status !== 'pending' ? `the request was ${state.request.status}` : `the task is ${task.status}`;
    return { page: htmlPage(409, 'Nothing to decide', `<p>This task is no longer open: ${escapeHtml(why)}.</p>`) };
  }
  return { state, task, approverId, link: { linkId: verified.linkId, expiresAtSeconds: Math.floor(verified.expiresAt.getTime() / 1000) } };
}

const form = (problem?: string) =>
  `${problem ? `<p role="alert"><strong>${escapeHtml(problem)}</strong></p>` : ''}` +
  `<form method="post"><label for="comment">Comment (required to reject or ask for changes)</label><textarea id="comment" name="comment"></textarea>` +
  `<button name="decision" value="approve">Approve</button><button name="decision" value="reject">Reject</button>` +
  `<button name="decision" value="request-changes">Request changes</button></form>`;

/** GET: what is to be decided, and the buttons. Decides nothing. */
export async function showDecisionPage(token: string, now: Date): Promise<ApiResult> {
  const opened = await open(token, now);
  if (opened.page) return opened.page;
  const { state, task } = opened;
  const { request } = state;
  const [approver, submitter] = await Promise.all([readUserContact(opened.approverId), readUserContact(request.submitterId)]);
  // the approver reads it as their mail: in their locale and time zone
  const reader = approver ?? DEFAULT_FORMATS;
  const facts = [...subjectFacts(request.subject, reader, now), ['Asked by', submitter?.name ?? request.submitterId]]
    .map(([label, value]) => `<li>${escapeHtml(label)}: ${escapeHtml(value)}</li>`).join('');
  return htmlPage(200, `Approve the ${subjectName(request.subject)}?`,
    `<p>Step “${escapeHtml(task.stepName)}”, due ${escapeHtml(formatDateTime(task.dueAt, reader, now))}, for ${escapeHtml(approver?.name ?? task.assigneeId)}.</p>` +
    `<ul>${facts}</ul>${form()}<p><a href="${escapeHtml(requestPageLink(request.requestId))}">Open the request in Tradeflow</a></p>`);
}

/** POST: the decision, once. */
export async function submitDecisionPage(token: string, formBody: string, now: Date): Promise<ApiResult> {
  const opened = await open(token, now);
  if (opened.page) return opened.page;
  const fields = new URLSearchParams(formBody);
  const comment = fields.get('comment')?.trim();
  const parsed = DecisionBodySchema.safeParse({ decision: fields.get('decision') ?? undefined, ...(comment ? { comment } : {}) });
  if (!parsed.success) {
    const problem = parsed.error.issues.map((i) => `${i.path.join('.') || 'decision'} ${i.message}`).join('; ');
    return htmlPage(400, 'Approval', form(problem));
  }
  try {
    const { task } = await decideTask(opened.state.request.requestId, opened.task.taskId, parsed.data, opened.approverId, now.toISOString(), opened.link);
    return htmlPage(200, 'Thank you', `<p>Your decision on the ${escapeHtml(subjectName(opened.state.request.subject))} is recorded: ${escapeHtml(task.status)}.</p>`);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    const status = error.kind === 'conflict' ? 409 : error.kind === 'forbidden' ? 403 : error.kind === 'not-found' ? 404 : 400;
    return htmlPage(status, 'Not recorded', `<p>${escapeHtml(error.message)}</p>`);
  }
}
