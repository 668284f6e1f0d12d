import { createHash } from 'node:crypto';
import type { ApprovalSubject } from '../../schemas/approvals/policy';
import type { ApprovalRequestRecord, ApprovalTask } from '../../schemas/approvals/request';
import type { Money } from '../../schemas/common';
import { formatDateTime, formatMoney, type Locale } from '../../schemas/format';
import { readUserContact } from './approval-store';
import { linkSecrets } from '../platform/link-secret';
import { requiredEnv } from '../platform/env';
import { serviceSender } from '../platform/mail';
import { consoleLink, renderMail, type MailContent, type Reader } from '../platform/mail-content';
import { logger } from '../platform/observability';
import { mailToSend } from '../platform/outbox';
import { LINK_PURPOSES, signLink } from '../platform/signed-links';
import type { GuardedWrite } from '../platform/transact';

/*
 * The approval engine's mail: a new task, a reminder, an escalation, a reassignment (to the approver),
 * the outcome (to the submitter). Each names people by name and the subject by its title, writes money
 * and times as its reader reads them (their locale and time zone), and links to the request's page in
 * the console. Every approver mail also carries a signed link to the decision's confirmation page: the
 * link only shows the page (a GET decides nothing, so mail scanners that prefetch it decide nothing);
 * the decision is the page's POST, accepted once. Reminders for the same task carry the same link id,
 * so once any of its links is used, all are.
 */

export interface ApprovalMail {
  kind: 'task' | 'reminder' | 'escalation' | 'reassignment' | 'outcome';
  request: ApprovalRequestRecord;
  task: ApprovalTask | undefined;
  /** a reassignment: whose task it was, and who handed it on */
  reassigned?: { from: string; by: string };
  /** the outcome: the request's tasks, whose deciders its reasons name */
  tasks?: ApprovalTask[];
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

/** The request's page in the web console. */
export const requestPageLink = (requestId: string) => consoleLink(`approvals/${encodeURIComponent(requestId)}`);

/** A person's display name by their id; an id nobody has is shown as it is. */
export type NameOf = (userId: string) => string;

/** The subject as people call it: `promotion “Summer water display”`; without a title, its type and id. */
export const subjectName = (subject: ApprovalSubject) =>
  `${subject.type.replace(/-/g, ' ')} ${subject.title ? `“${subject.title}”` : subject.id}`;

const amountOf = (subject: ApprovalSubject): Money | undefined => {
  const m = subject.fields.amount as Partial<Money> | undefined;
  return typeof m?.amountMinor === 'number' && typeof m.currency === 'string' ? { amountMinor: m.amountMinor, currency: m.currency } : undefined;
};

/** What a reader reads about the subject: its amount and its facts, in their locale and time zone. */
export function subjectFacts(subject: ApprovalSubject, reader: Locale, now: Date): [string, string][] {
  const amount = amountOf(subject);
  const facts: [string, string][] = amount ? [['Amount', formatMoney(amount.amountMinor, amount.currency, reader.locale)]] : [];
  for (const fact of subject.facts ?? []) {
    if ('at' in fact) facts.push([fact.label, formatDateTime(fact.at, reader, now)]);
    else facts.push([fact.label, Array.isArray(fact.text) ? fact.text.join(', ') || 'none' : fact.text]);
  }
  return facts;
}

/** The ids of the people an approval mail names. */
function peopleNamed(mail: ApprovalMail): string[] {
  const { request, task } = mail;
  return [
    request.submitterId, task?.delegatedFrom, mail.reassigned?.from, mail.reassigned?.by, request.recall?.by,
    ...(mail.tasks ?? []).map((t) => t.assigneeId),
  ].filter((id): id is string => Boolean(id));
}

/** The engine's reasons name deciders by id ("Rejected by u-north-manager at ..."): the reader sees their names. */
function withNames(reason: string, ids: string[], nameOf: NameOf) {
  return ids.reduce((text, id) => text.replace(new RegExp(`(?<![\\w-])${id.replace(/[-]/g, '\\-')}(?![\\w-])`, 'g'), nameOf(id)), reason);
}

export interface ApprovalMailContext {
  /** who the mail is for */
  reader: Reader;
  nameOf: NameOf;
  /** what "this year" is, for dates (the year is written only when it is another) */
  now: Date;
  /** the approver's one-click decision page (approver mails) */
  decisionUrl?: string;
  /** the request's page in the console */
  requestUrl: string;
}

/** One approval mail's content, pure: names, money, times and links as its reader reads them. */
export function composeApprovalMail(mail: ApprovalMail, context: ApprovalMailContext): MailContent {
  const { request, task } = mail;
  const { reader, nameOf, now } = context;
  const name = subjectName(request.subject);
  const facts = subjectFacts(request.subject, reader, now);
  const openRequest = { label: 'Open the request in Tradeflow', url: context.requestUrl };
  const greeting = `Hello ${reader.name},`;
  if (mail.kind === 'outcome' || !task) {
    const ids = peopleNamed(mail);
    const status = request.status;
    return {
      subject: `${status.charAt(0).toUpperCase()}${status.slice(1)}: ${name}`,
      paragraphs: [greeting, `Your request for the ${name} was ${status}.`, ...request.reasons.map((r) => withNames(r, ids, nameOf))],
      facts: [...facts, ...(request.decidedAt ? [['Decided', formatDateTime(request.decidedAt, reader, now)] as [string, string]] : [])],
      links: [openRequest],
    };
  }
  const submitter = nameOf(request.submitterId);
  const step = `“${task.stepName}”`;
  const due = formatDateTime(task.dueAt, reader, now);
  const onBehalf = task.delegatedFrom ? ` You decide for ${nameOf(task.delegatedFrom)}, who is away.` : '';
  const lines: Record<Exclude<ApprovalMail['kind'], 'outcome'>, [prefix: string, opening: string]> = {
    task: ['Approval needed', `${submitter} asks for your approval of the ${name}, at step ${step}.${onBehalf}`],
    reminder: ['Reminder: approval needed', `A reminder: the ${name} from ${submitter} still needs your decision at step ${step}.` +
      `${task.overdue ? ' It is overdue.' : ''}${onBehalf}`],
    escalation: ['Escalated to you', `The ${name} from ${submitter} was escalated to you: it was not decided in time at step ${step}.`],
    reassignment: ['Handed to you', mail.reassigned
      ? `${nameOf(mail.reassigned.by)} handed you ${nameOf(mail.reassigned.from)}'s approval of the ${name} from ${submitter}, at step ${step}.`
      : `The approval of the ${name} from ${submitter} was handed to you, at step ${step}.`],
  };
  const [prefix, opening] = lines[mail.kind];
  const amount = facts.find(([label]) => label === 'Amount')?.[1];
  return {
    subject: `${prefix}: ${name}${amount ? `, ${amount}` : ''} (due ${due})`,
    paragraphs: [greeting, opening],
    facts: [...facts, ['Asked by', submitter], ['Step', task.stepName], ['Due', due]],
    links: [...(context.decisionUrl ? [{ label: 'Review and decide', url: context.decisionUrl }] : []), openRequest],
  };
}

/** The outbox id of one approval mail: the request, what the mail is, its task, and the engine's clock. */
const approvalMailId = (mail: ApprovalMail, now: Date) =>
  `approval-mail#${mail.request.requestId}#${mail.kind}#${mail.task?.taskId ?? '-'}#${now.toISOString()}`;

/**
 * Each mail as an outbox write (platform/outbox.ts), to go in the same transaction as the change it
 * tells of: the relay sends it once that commits, and only then. A mail whose reader has no contact is
 * left out (the task is in the approver's inbox either way). `now` is the engine's (the local clock locally).
 */
export async function approvalMailWrites(mails: ApprovalMail[], now = new Date()): Promise<GuardedWrite[]> {
  const people = new Map<string, Promise<Reader | undefined>>();
  const person = (id: string) => people.get(id) ?? people.set(id, readUserContact(id)).get(id)!;
  const writes: GuardedWrite[] = [];
  for (const mail of mails) {
    const reader = await person(mail.kind === 'outcome' ? mail.request.submitterId : mail.task?.assigneeId ?? '');
    if (!reader || (mail.kind !== 'outcome' && !mail.task)) {
      logger.warn('approval mail has nobody to go to', { kind: mail.kind, requestId: mail.request.requestId, taskId: mail.task?.taskId });
      continue;
    }
    const named = new Map<string, string>();
    for (const id of peopleNamed(mail)) named.set(id, (await person(id))?.name ?? id);
    const content = composeApprovalMail(mail, {
      reader, nameOf: (id) => named.get(id) ?? id, now,
      ...(mail.kind !== 'outcome' && mail.task ? { decisionUrl: await decisionLink(mail.task) } : {}),
      requestUrl: requestPageLink(mail.request.requestId),
    });
    const message = renderMail(content);
    writes.push(mailToSend(approvalMailId(mail, now), {
      FromEmailAddress: serviceSender(),
      Destination: { ToAddresses: [reader.email] },
      Content: { Simple: { Subject: { Data: message.subject }, Body: { Text: { Data: message.text }, Html: { Data: message.html } } } },
      EmailTags: [{ Name: 'kind', Value: `approval-${mail.kind}` }],
    }, now.toISOString()));
  }
  return writes;
}
