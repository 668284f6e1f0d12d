/**
 * The outbox: what a change announces (an event, a mail), written in the same transaction as the change
 * and delivered by the relay (functions/platform/relay-outbox.ts), which the table's stream wakes for
 * each new item. Named by the business id of what it announces, so a retried change writes it once.
 */
export const OUTBOX_SK = 'OUTBOX';
/** The SES message tag that names a relayed mail's outbox item, so SES's events about it find the item. */
export const OUTBOX_MAIL_TAG = 'outbox';
/**
 * How long after SES accepted a mail its Send event leaves the mark to the attempt that sent it (the
 * confirmer's queue delays each event that long). Read sooner, the mail is still held by a live attempt,
 * and the confirmer marks it too: a second write for every mail.
 */
export const HOLDER_MARKS_WITHIN_MS = 3_000;
export const outboxKey = (id: string) => ({ pk: `OUTBOX#${id}`, sk: OUTBOX_SK });

/** How long a delivered item stays readable (for support) before the table's TTL removes it. */
export const OUTBOX_KEEP_DELIVERED_DAYS = 7;
