import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { enrolFromEvent, onLeadChanged, onMailEvent } from './nurture-engine';
import { logger, tracer } from '../platform/observability';

/**
 * The nurture router (one EventBridge target for the engine): triggering events enrol leads, lead
 * changes end enrolments (conversion, exit condition), SES's mail events count and resume engagement
 * waits or suppress and exit. Throws on failure, so EventBridge retries and then dead-letters.
 */
export const handler = middy(async (event: EventBridgeEvent<string, Record<string, unknown>>) => {
  const now = new Date().toISOString();
  const type = event['detail-type'];
  if (event.source === 'aws.ses') {
    await onMailEvent(type, event.detail, now);
    return;
  }
  const enrolment = await enrolFromEvent({ source: event.source, detailType: type, detail: event.detail }, now);
  if (type === 'Record.Changed' && event.detail.recordType === 'LEAD' && event.detail.change === 'updated') {
    await onLeadChanged(String(event.detail.id), now);
  }
  logger.info('nurture event routed', { type, eventId: event.id, ...enrolment });
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger));
