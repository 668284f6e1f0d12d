import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { RecordChanged } from '../../schemas/events';
import { putEvents } from '../platform/event-bus';
import { logger, tracer } from '../platform/observability';
import { recordChangeOf } from './record-changes';

/** The table's stream to the bus: every create, change and delete of a CRM record as a Record.Changed event. */
export const handler = middy(async (event: DynamoDBStreamEvent) => {
  const changes = event.Records.map(recordChangeOf).filter((c) => c !== undefined);
  await putEvents(RecordChanged.source, RecordChanged.detailType, changes);
  logger.info('published record changes', { records: event.Records.length, published: changes.length });
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger));
