import { LeadCaptured, RecordChanged } from '../../schemas/events';
import { logger } from '../platform/observability';
import { isEvent, queuedEventsHandler, type QueuedEvent } from '../platform/task-handler';
import { SES_MAIL_EVENTS, onMailEvent } from './nurture-engagement';
import { enrolAll, type TriggerEvent } from './nurture-enrolment';
import { onLeadChanged } from './nurture-exits';

const ROUTED = [LeadCaptured, RecordChanged, ...SES_MAIL_EVENTS] as const;

/**
 * The nurture router, fed in batches by its queue (which the engine's rules fill): triggering events
 * enrol leads, all of a batch's together; lead changes end enrolments (conversion, exit condition); SES's
 * mail events count and resume engagement waits or suppress and exit. A message whose work failed is
 * handed back to the queue alone, to be delivered again and, in the end, dead-lettered.
 */
export const handler = queuedEventsHandler(ROUTED, async (batch: QueuedEvent<(typeof ROUTED)[number]>[], now) => {
  const failed: string[] = [];
  const triggers: { key: string; event: TriggerEvent }[] = [];
  const others: QueuedEvent<(typeof ROUTED)[number]>[] = [];
  for (const queued of batch) {
    const { event } = queued;
    if (isEvent(event, LeadCaptured)) triggers.push({ key: queued.messageId, event: { trigger: 'Lead.Captured', detailType: event.detailType, detail: event.detail } });
    else if (isEvent(event, RecordChanged) && event.detail.recordType === 'LEAD' && event.detail.change === 'created') {
      triggers.push({ key: queued.messageId, event: { trigger: 'Lead.Created', detailType: event.detailType, detail: event.detail } });
    } else others.push(queued);
  }
  if (triggers.length > 0) {
    for (const [messageId, outcome] of await enrolAll(triggers, now)) {
      if (outcome instanceof Error) {
        logger.warn('nurture event to be delivered again', { messageId, error: outcome });
        failed.push(messageId);
      } else logger.info('nurture event routed', { messageId, ...outcome });
    }
  }
  for (const { messageId, event } of others) {
    try {
      if (isEvent(event, RecordChanged)) {
        if (event.detail.recordType === 'LEAD' && event.detail.change === 'updated') await onLeadChanged(event.detail.id, now);
      } else await onMailEvent(event.detailType, event.detail, now);
      logger.info('nurture event routed', { messageId, type: event.detailType, eventId: event.id });
    } catch (error) {
      logger.warn('nurture event to be delivered again', { messageId, error: error as Error });
      failed.push(messageId);
    }
  }
  return failed;
});
