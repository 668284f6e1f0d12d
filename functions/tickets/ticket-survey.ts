import { createHash } from 'node:crypto';
import { TicketRated } from '../../schemas/events';
import { recordKey, TTL_ATTRIBUTE, usedLinkKey } from '../../schemas/keys';
import { Accounts } from '../../schemas/records';
import { SURVEY_SCORES, SurveyAnswerSchema, type TicketRecord } from '../../schemas/tickets/records';
import type { ApiResult } from '../platform/api-handler';
import { requiredEnv } from '../platform/env';
import { conflict } from '../platform/errors';
import { escapeHtml, htmlPage } from '../platform/html-page';
import { linkSecrets } from '../platform/link-secret';
import { serviceSender } from '../platform/mail';
import { renderMail } from '../platform/mail-content';
import { eventToAnnounce, mailToSend } from '../platform/outbox';
import { signLink, verifyLink } from '../platform/signed-links';
import { tableName } from '../platform/table';
import { writeAllOrNothing, type GuardedWrite } from '../platform/transact';
import { readItem, readTicket, ticketChange, timelineEntry } from './ticket-store';

/*
 * The satisfaction survey of a closed ticket: a mail with a one-click 1-5 rating, each score a signed
 * link (platform/signed-links) to the survey page. The token is the credential (no sign-in): signed for
 * one ticket and cycle, expiring. GET shows the page and records nothing (mail scanners fetch every
 * link); the page's POST records the score once per cycle, marking the link used in the same
 * transaction as the answer on the ticket, its timeline entry and Ticket.Rated.
 */

export const SURVEY_PURPOSE = 'ticket-survey';
/** How long a survey link works after the ticket is closed. */
const SURVEY_LINK_DAYS = 30;

/** One survey per ticket and cycle: its links share one single-use id. */
const surveyLinkId = (ticketId: string, cycle: number) => createHash('sha256').update(`survey\n${ticketId}\n${cycle}`).digest('hex').slice(0, 32);

async function surveyLink(ticket: TicketRecord, now: string, score?: number): Promise<string> {
  const token = signLink({
    purpose: SURVEY_PURPOSE,
    subject: { t: ticket.id, c: String(ticket.cycle) },
    expiresAt: new Date(Date.parse(now) + SURVEY_LINK_DAYS * 86_400_000),
    linkId: surveyLinkId(ticket.id, ticket.cycle),
  }, await linkSecrets());
  return `${requiredEnv('PUBLIC_API_URL').replace(/\/$/, '')}/ticket-surveys/${token}${score ? `?score=${score}` : ''}`;
}

/** The survey mail of a closed ticket, as an outbox write; none without an address to send it to. */
export async function surveyMailWrite(ticket: TicketRecord, to: string | undefined, now: string): Promise<GuardedWrite | undefined> {
  if (!to) return undefined;
  const links = await Promise.all(SURVEY_SCORES.map(async (score) => ({ label: `${score} ${'★'.repeat(score)}`, url: await surveyLink(ticket, now, score) })));
  const message = renderMail({
    subject: `How did we do? Your request “${ticket.subject}”`,
    paragraphs: [
      'Your request is closed. How satisfied are you with how we handled it?',
      'Choose a rating from 1 (not at all) to 5 (very); the page that opens asks you to confirm it.',
    ],
    facts: [['Request', ticket.subject]],
    links,
  });
  return mailToSend(`ticket-survey#${ticket.id}#${ticket.cycle}`, {
    FromEmailAddress: serviceSender(),
    Destination: { ToAddresses: [to] },
    Content: { Simple: { Subject: { Data: message.subject }, Body: { Text: { Data: message.text }, Html: { Data: message.html } } } },
    EmailTags: [{ Name: 'kind', Value: 'ticket-survey' }],
  }, now);
}

const REFUSALS = {
  malformed: [400, 'This is not a valid survey link.'],
  'bad-signature': [400, 'This is not a valid survey link.'],
  'wrong-purpose': [400, 'This link is not a survey link.'],
  expired: [410, 'This survey has closed. Thank you all the same.'],
} as const;

type Opened = { page: ApiResult } | { page?: undefined; ticket: TicketRecord; cycle: number; linkId: string; expiresAt: Date };

async function open(token: string, now: Date): Promise<Opened> {
  const verified = verifyLink(token, await linkSecrets(), { purpose: SURVEY_PURPOSE, now });
  if (!verified.ok) {
    const [status, message] = REFUSALS[verified.reason];
    return { page: htmlPage(status, 'Survey', `<p>${escapeHtml(message)}</p>`) };
  }
  const { t: ticketId = '', c = '0' } = verified.subject;
  if (await readItem(usedLinkKey(verified.linkId))) return { page: htmlPage(409, 'Already answered', '<p>This survey was answered already; thank you.</p>') };
  const stored = await readTicket(ticketId).catch(() => undefined);
  if (!stored) return { page: htmlPage(404, 'Survey', '<p>This request no longer exists.</p>') };
  return { ticket: stored.ticket, cycle: Number(c), linkId: verified.linkId, expiresAt: verified.expiresAt };
}

const form = (chosen?: number, problem?: string) =>
  `${problem ? `<p role="alert"><strong>${escapeHtml(problem)}</strong></p>` : ''}` +
  '<form method="post"><fieldset><legend>Your rating, from 1 (not at all satisfied) to 5 (very satisfied)</legend>' +
  SURVEY_SCORES.map((score) => `<label><input type="radio" name="score" value="${score}"${score === chosen ? ' checked' : ''}> ${score}</label> `).join('') +
  '</fieldset><button type="submit">Send my rating</button></form>';

/** GET: the survey page, with the score the mail's link chose preselected. Records nothing. */
export async function showSurveyPage(token: string, query: Record<string, string>, now: Date): Promise<ApiResult> {
  const opened = await open(token, now);
  if (opened.page) return opened.page;
  const chosen = SurveyAnswerSchema.safeParse({ score: query.score });
  return htmlPage(200, 'How did we do?', `<p>Your request “${escapeHtml(opened.ticket.subject)}”.</p>${form(chosen.success ? chosen.data.score : undefined)}`);
}

/** POST: the rating, once per ticket and cycle. */
export async function submitSurveyPage(token: string, formBody: string, now: Date): Promise<ApiResult> {
  const opened = await open(token, now);
  if (opened.page) return opened.page;
  const parsed = SurveyAnswerSchema.safeParse({ score: new URLSearchParams(formBody).get('score') ?? undefined });
  if (!parsed.success) return htmlPage(400, 'How did we do?', form(undefined, 'Choose a rating from 1 to 5.'));
  const { ticket, cycle } = opened;
  const at = now.toISOString();
  const score = parsed.data.score;
  const account = await readItem(recordKey(Accounts.type, ticket.accountId));
  const next: TicketRecord = { ...ticket, version: ticket.version + 1, updatedAt: at, rating: { score, cycle, at } };
  const used = conflict('this survey was answered already');
  const writes: GuardedWrite[] = [
    {
      item: {
        Put: {
          TableName: tableName(),
          Item: { ...usedLinkKey(opened.linkId), usedAt: at, [TTL_ATTRIBUTE]: Math.floor(opened.expiresAt.getTime() / 1000), purpose: SURVEY_PURPOSE },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      whenConditionFails: used,
    },
    ticketChange(next, ticket.version, { signal: false, whenConditionFails: conflict('the ticket changed meanwhile; send your rating again') }),
    eventToAnnounce(`ticket-rated#${ticket.id}#${cycle}`, TicketRated, {
      ticketId: ticket.id, cycle, teamId: ticket.departmentId, accountId: ticket.accountId, assigneeId: ticket.ownerId, score, at,
    }, at),
  ];
  if (account) writes.push(timelineEntry(next, account, `rated ${score} of 5`, at));
  try {
    await writeAllOrNothing(writes);
  } catch (error) {
    if ((error as { kind?: string }).kind !== 'conflict') throw error;
    return htmlPage(409, 'Not recorded', `<p>${escapeHtml((error as Error).message)}.</p>`);
  }
  return htmlPage(200, 'Thank you', `<p>Your rating of ${score} out of 5 is recorded.</p>`);
}

