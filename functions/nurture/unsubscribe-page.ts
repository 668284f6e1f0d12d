import type { ApiResult } from '../platform/api-handler';
import { invalidField } from '../platform/errors';
import { escapeHtml, htmlPage } from '../platform/html-page';
import { openUnsubscribeLink, unsubscribe } from './nurture-unsubscribe';

/*
 * The unsubscribe link in nurture mail, as people and mail clients use it:
 *   GET  /unsubscribe/<token>  a person clicked it: a page asking to confirm (a prefetching scanner changes nothing)
 *   POST /unsubscribe/<token>  the page's button (form field confirm), or a mail client's RFC 8058 one-click
 *                              POST (body List-Unsubscribe=One-Click): unsubscribed at once, either way
 */

/** j***n@example.com: enough for the person to recognise their address, not enough to harvest it. */
const maskEmail = (email: string) => {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***${local.length > 1 ? local.slice(-1) : ''}@${domain}`;
};

const TITLE = 'Unsubscribe';
const invalid = (reason: string) => htmlPage(400, TITLE, `<p>This unsubscribe link is not valid (${escapeHtml(reason)}). Use the link in the newest mail you got from us.</p>`);

export async function showUnsubscribePage(token: string, now: string): Promise<ApiResult> {
  const opened = await openUnsubscribeLink(token, now);
  if (!opened.ok) return invalid(opened.reason);
  const email = opened.lead.email ? maskEmail(opened.lead.email) : 'this address';
  if (opened.lead.marketingConsent.status === 'withdrawn') return htmlPage(200, TITLE, `<p>${escapeHtml(email)} gets no marketing mail from us any more.</p>`);
  return htmlPage(200, TITLE,
    `<p>Stop all marketing mail to ${escapeHtml(email)}?</p>` +
    '<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">Unsubscribe</button></form>');
}

export async function submitUnsubscribe(token: string, body: string, now: string): Promise<ApiResult> {
  const fromPage = new URLSearchParams(body).get('confirm') === 'yes';
  const result = await unsubscribe(token, now);
  if (!fromPage) {
    if (!result.ok) throw invalidField('path.token', `is not a valid unsubscribe link (${result.reason})`);
    return { status: 200, body: { unsubscribed: true, stoppedEnrolments: result.exited } };
  }
  if (!result.ok) return invalid(result.reason);
  return htmlPage(200, TITLE, '<p>You are unsubscribed: no more marketing mail from us, from any sequence.</p>');
}
