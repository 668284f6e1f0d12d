import { LeadCaptured, RecordChanged } from '../../schemas/events';
import { logger } from '../platform/observability';
import { eventHandler, isEvent } from '../platform/task-handler';
import { SES_MAIL_EVENTS, onMailEvent } from './nurture-engagement';
import { enrolFromEvent } from './nurture-enrolment';
import { onLeadChanged } from './nurture-exits';

/**
 * The nurture router (one EventBridge target for the engine): triggering events enrol leads, lead
 * changes end enrolments (conversion, exit condition), SES's mail events count and resume engagement
 * waits or suppress and exit. Throws on failure, so EventBridge retries and then dead-letters.
 */
export const handler = eventHandler([LeadCaptured, RecordChanged, ...SES_MAIL_EVENTS], async (event, now) => {
  if (isEvent(event, LeadCaptured)) {
    const enrolment = await enrolFromEvent({ trigger: 'Lead.Captured', detailType: event.detailType, detail: event.detail }, now);
    logger.info('nurture event routed', { type: event.detailType, eventId: event.id, ...enrolment });
  } else if (isEvent(event, RecordChanged)) {
    const lead = event.detail.recordType === 'LEAD';
    const enrolment = lead && event.detail.change === 'created'
      ? await enrolFromEvent({ trigger: 'Lead.Created', detailType: event.detailType, detail: event.detail }, now)
      : { enrolled: [], refused: [] };
    if (lead && event.detail.change === 'updated') await onLeadChanged(event.detail.id, now);
    logger.info('nurture event routed', { type: event.detailType, eventId: event.id, ...enrolment });
  } else {
    await onMailEvent(event.detailType, event.detail, now);
  }
});
