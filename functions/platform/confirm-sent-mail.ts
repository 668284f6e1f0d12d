import { logger } from './observability';
import { OUTBOX_MAIL_TAG } from '../../schemas/keys';
import { confirmSentBySes, outboxIdOfTag } from './outbox';
import { sesMailEvent } from './ses-mail-events';
import { eventHandler } from './task-handler';

/** SES's Send event of a mail the outbox relay sent (its rule matches only mail tagged with an outbox item). */
const EmailSent = sesMailEvent('Email Sent');

/** Marks the outbox mail SES accepted as sent, when the attempt that sent it died before marking it. */
export const handler = eventHandler([EmailSent], async (event) => {
  const tag = event.detail.mail?.tags?.[OUTBOX_MAIL_TAG]?.[0];
  const messageId = event.detail.mail?.messageId;
  if (!tag || !messageId) return { confirmed: false };
  const outboxId = outboxIdOfTag(tag);
  const confirmed = await confirmSentBySes(outboxId, messageId, Date.parse(event.time));
  if (confirmed) logger.warn('outbox mail marked sent from SES\'s Send event: its sending attempt died before its mark', { outboxId, messageId });
  return { confirmed };
});
