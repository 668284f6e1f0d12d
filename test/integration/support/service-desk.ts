import { getZonedParts, zonedTimeToInstant } from '../../../functions/rules/business-time';
import { WEEKDAYS, type Weekday } from '../../../schemas/calendar';
import type { LocalCrm, Reply } from './local-crm';

/**
 * What tests of service tickets share: times on the demo's Customer Care calendar (d-care, Monday to
 * Friday 09:00-17:00 in Berlin), the local clock moved to one of them, and the customer's answer to a
 * closed ticket's survey mail.
 */
export const BERLIN = 'Europe/Berlin';

/** `hour:minute` in `zone`, `days` calendar days after `from`'s local date there. */
export function zonedAt(from: Date, days: number, hour: number, minute = 0, zone = BERLIN): Date {
  const d = getZonedParts(from, zone);
  return zonedTimeToInstant({ year: d.year, month: d.month, day: d.day + days, hour, minute }, zone);
}

/** The next `weekday` after `after`'s local date (a week on when it is that weekday), at `hour:minute` in `zone`. */
export function nextWeekdayAt(after: Date, weekday: Weekday, hour: number, minute = 0, zone = BERLIN): Date {
  const today = getZonedParts(after, zone).weekday;
  const days = (WEEKDAYS.indexOf(weekday) - WEEKDAYS.indexOf(today) + 7) % 7 || 7;
  return zonedAt(after, days, hour, minute, zone);
}

/** Moves the local clock to `at` (it never runs backwards). */
export async function advanceClockTo(crm: LocalCrm, at: Date): Promise<void> {
  const seconds = Math.ceil((at.getTime() - crm.runtime.clock.now()) / 1000);
  if (seconds > 0) await crm.advanceClock(seconds);
}

/**
 * An agent's action on a ticket at `when` on the local clock, at the version it has then. The runtime is
 * let go idle first: the clock's move may have made a reminder or a breach due, which the SLA workflow
 * records on the ticket (a new version).
 */
export async function actOnTicketAt(crm: LocalCrm, userId: string, id: string, action: string, when: Date, body: Record<string, unknown> = {}): Promise<Reply> {
  await advanceClockTo(crm, when);
  await crm.untilIdle();
  const current = (await crm.as(userId).get(`/tickets/${id}`)).body;
  return crm.as(userId).post(`/tickets/${id}/${action}`, { version: current.version, ...body });
}

/** The local SES's mails to an address. */
export const mailsTo = (crm: LocalCrm, to: string) =>
  fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=${encodeURIComponent(to)}`).then((r) => r.json() as Promise<{ subject: string; text: string }[]>);

/** The link of a score in the survey mailed to `to` about the ticket `subject` (it shows the page; its POST target records). */
export async function surveyLink(crm: LocalCrm, to: string, subject: string, score: number): Promise<string | undefined> {
  const about = (list: { subject: string; text: string }[]) => list.find((m) => m.subject.includes(subject));
  const mails = await crm.eventually(() => mailsTo(crm, to), (list) => about(list) !== undefined);
  return new RegExp(`https?://\\S+/ticket-surveys/\\S+\\?score=${score}`).exec(about(mails)?.text ?? '')?.[0];
}

/** Answers the survey as the customer does, by the page's form: a POST of the score to the link. */
export const answerSurvey = (link: string, score: number) =>
  fetch(link.replace(/\?.*$/, ''), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `score=${score}` });
