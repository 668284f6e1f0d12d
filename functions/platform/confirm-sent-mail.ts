import { logger } from './observability';
import { OUTBOX_MAIL_TAG } from '../../schemas/keys';
import { confirmSentBySes, outboxIdOfTag, type AcceptedMail } from './outbox';
import { sesMailEvent } from './ses-mail-events';
import { queuedEventsHandler } from './task-handler';

/** SES's Send event of a mail the outbox relay sent (its rule matches only mail tagged with an outbox item). */
const EmailSent = sesMailEvent('Email Sent');

/**
 * Marks the outbox mails SES accepted as sent, when the attempt that sent them died before marking them.
 * Its queue hands it up to ten Send events at a time, each delayed past the time its attempt has to mark.
 */
export const handler = queuedEventsHandler([EmailSent], async (batch) => {
  const accepted: (AcceptedMail & { sqsMessageId: string })[] = [];
  for (const { messageId: sqsMessageId, event } of batch) {
    const tag = event.detail.mail?.tags?.[OUTBOX_MAIL_TAG]?.[0];
    const messageId = event.detail.mail?.messageId;
    if (tag && messageId) accepted.push({ sqsMessageId, outboxId: outboxIdOfTag(tag), messageId, acceptedAtMs: Date.parse(event.time) });
  }
  if (accepted.length === 0) return [];
  const outcomes = await confirmSentBySes(accepted);
  const failed: string[] = [];
  for (const { sqsMessageId, outboxId, messageId } of accepted) {
    const outcome = outcomes.get(outboxId);
    if (outcome instanceof Error) {
      logger.warn('outbox mail not marked from SES\'s Send event; the event comes again', { outboxId, messageId, error: outcome });
      failed.push(sqsMessageId);
    } else if (outcome) logger.warn('outbox mail marked sent from SES\'s Send event: its sending attempt died before its mark', { outboxId, messageId });
  }
  return failed;
});
