import { LeadUnsubscribed } from '../../schemas/events';
import { linkSecrets } from '../platform/link-secret';
import { eventToAnnounce } from '../platform/outbox';
import { LINK_PURPOSES, verifyLink } from '../platform/signed-links';
import { exitLead } from './nurture-exits';
import { leadChange, readLead, suppressionEntry, writeTogether, type LeadItem } from './nurture-store';

/*
 * Unsubscribe (RFC 8058 one-click: no login, the signed token in the mail's link is the only
 * credential). The pages and the one-click answer are unsubscribe-page.ts's.
 */

export type UnsubscribeResult = { ok: true; leadId: string; exited: number } | { ok: false; reason: string };

/** Whose unsubscribe link this is (the token verified; nothing changes). */
export async function openUnsubscribeLink(token: string, now: string): Promise<{ ok: true; leadId: string; lead: LeadItem } | { ok: false; reason: string }> {
  const verified = verifyLink(token, await linkSecrets(), { purpose: LINK_PURPOSES.unsubscribe, now: new Date(now) });
  if (!verified.ok) return { ok: false, reason: verified.reason };
  const leadId = verified.subject.leadId;
  const lead = leadId ? await readLead(leadId) : undefined;
  if (!leadId || !lead) return { ok: false, reason: 'unknown-lead' };
  return { ok: true, leadId, lead };
}

/** Suppresses the address, withdraws consent and stops every enrolment of the lead, before answering. */
export async function unsubscribe(token: string, now: string): Promise<UnsubscribeResult> {
  const opened = await openUnsubscribeLink(token, now);
  if (!opened.ok) return opened;
  const { leadId, lead } = opened;
  // the address suppressed, consent withdrawn and the unsubscribe announced together, once; a second
  // click (or a retry after a crash) finds them done and stops what still runs
  if (lead.marketingConsent?.status !== 'withdrawn') {
    await writeTogether([
      ...(lead.email ? [{ Put: suppressionEntry(lead.email, 'unsubscribed', now, leadId) }] : []),
      leadChange(leadId, { set: { marketingConsent: { status: 'withdrawn', at: now, source: 'one-click unsubscribe' } } }, now),
      eventToAnnounce(`lead-unsubscribed#${leadId}#${lead.version}`, LeadUnsubscribed, { leadId, unsubscribedAt: now }, now).item,
    ]);
  }
  const exited = await exitLead(leadId, 'unsubscribed', now);
  return { ok: true, leadId, exited: exited.length };
}
