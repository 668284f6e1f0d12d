import { createHash } from 'node:crypto';
import type { ApprovalRequestRecord, ApprovalTask } from '../../schemas/approvals/request';
import { readUserContact } from './approval-store';
import { escapeHtml } from '../platform/html-page';
import { linkSecrets } from '../platform/link-secret';
import { requiredEnv } from '../platform/env';
import { sendMail, serviceSender } from '../platform/mail';
import { logger } from '../platform/observability';
import { LINK_PURPOSES, signLink } from '../platform/signed-links';

/*
 * The approval engine's mail: a new task, a reminder, an escalation (to the approver), the outcome (to
 * the submitter). Every approver mail carries a signed link to the decision's confirmation page: the
 * link only shows the page (a GET decides nothing, so mail scanners that prefetch it decide nothing);
 * the decision is the page's POST, accepted once. Reminders for the same task carry the same link id,
 * so once any of its links is used, all are.
 */

export interface ApprovalMail {
  kind: 'task' | 'reminder' | 'escalation' | 'outcome';
  request: ApprovalRequestRecord;
  task: ApprovalTask | undefined;
}

/** A link keeps working this long after the task's deadline (an overdue task stays open). */
const LINK_GRACE_MS = 30 * 24 * 3600 * 1000;

/** The single-use id of a task's decision links. */
export const decisionLinkId = (requestId: string, taskId: string) => createHash('sha256').update(`${requestId}\n${taskId}`).digest('hex').slice(0, 32);

export async function decisionLink(task: ApprovalTask): Promise<string> {
  const token = signLink({
    purpose: LINK_PURPOSES.approvalDecision,
    subject: { r: task.requestId, t: task.taskId, u: task.assigneeId },
    expiresAt: new Date(Date.parse(task.dueAt) + LINK_GRACE_MS),
    linkId: decisionLinkId(task.requestId, task.taskId),
  }, await linkSecrets());
  return `${requiredEnv('PUBLIC_API_URL').replace(/\/$/, '')}/approval-links/${token}`;
}

const money = (value: unknown) => {
  const m = value as { amountMinor?: unknown; currency?: unknown } | undefined;
  return typeof m?.amountMinor === 'number' && typeof m.currency === 'string' ? `${(m.amountMinor / 100).toFixed(2)} ${m.currency}` : undefined;
};

/** The subject's fields as lines a person reads ("amount: 62000.00 EUR"). */
export function subjectLines(request: Pick<ApprovalRequestRecord, 'subject' | 'submitterId'>): string[] {
  const { subject } = request;
  const fields = Object.entries(subject.fields).map(([key, value]) => `${key}: ${money(value) ?? (typeof value === 'object' ? JSON.stringify(value) : String(value))}`);
  return [`${subject.type} ${subject.id}`, `submitted by ${request.submitterId}`, ...fields];
}

async function compose(mail: ApprovalMail): Promise<{ to: string; subject: string; text: string; html: string } | undefined> {
  const { request, task } = mail;
  const title = `${request.subject.type} ${request.subject.id}`;
  if (mail.kind === 'outcome') {
    const submitter = await readUserContact(request.submitterId);
    if (!submitter) return undefined;
    const lines = [`Your request for ${title} was ${request.status}.`, ...request.reasons];
    return { to: submitter.email, subject: `${title}: ${request.status}`, text: lines.join('\n'), html: lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('') };
  }
  if (!task) return undefined;
  const approver = await readUserContact(task.assigneeId);
  if (!approver) return undefined;
  const link = await decisionLink(task);
  const opening = {
    task: `${request.submitterId} asks for your approval (step "${task.stepName}").`,
    reminder: `A reminder: your approval is still needed (step "${task.stepName}").`,
    escalation: `This approval was escalated to you: the approver did not decide in time (step "${task.stepName}").`,
  }[mail.kind];
  const lines = [opening, ...subjectLines(request), `Due: ${task.dueAt}`];
  return {
    to: approver.email,
    subject: `${mail.kind === 'reminder' ? 'Reminder: ' : ''}Approval needed: ${title}`,
    text: [...lines, `Open to decide: ${link}`].join('\n'),
    html: `${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}<p><a href="${escapeHtml(link)}">Review and decide</a></p>`,
  };
}

/** Sends each mail; a failure is logged, not thrown: the task is in the approver's inbox either way. */
export async function sendApprovalMails(mails: ApprovalMail[]): Promise<void> {
  for (const mail of mails) {
    try {
      const message = await compose(mail);
      if (!message) continue;
      await sendMail({
        FromEmailAddress: serviceSender(),
        Destination: { ToAddresses: [message.to] },
        Content: { Simple: { Subject: { Data: message.subject }, Body: { Text: { Data: message.text }, Html: { Data: message.html } } } },
        EmailTags: [{ Name: 'kind', Value: `approval-${mail.kind}` }],
      });
    } catch (error) {
      logger.error('approval mail not sent', { kind: mail.kind, requestId: mail.request.requestId, taskId: mail.task?.taskId, error: error as Error });
    }
  }
}
