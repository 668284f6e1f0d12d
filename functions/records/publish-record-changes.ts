import { RecordChanged } from '../../schemas/events';
import { publishAll } from '../platform/event-bus';
import { logger } from '../platform/observability';
import { taskHandler } from '../platform/task-handler';
import { recordChangeOf, StreamBatchSchema } from './record-changes';

/**
 * The table's stream to the bus: every create, change and delete of a CRM record as a Record.Changed
 * event. The batch's first stream record names it in the logs.
 */
export const handler = taskHandler(StreamBatchSchema, async (batch) => {
  const changes = batch.Records.map(recordChangeOf).filter((c) => c !== undefined);
  await publishAll(RecordChanged, changes);
  logger.info('published record changes', { records: batch.Records.length, published: changes.length });
}, (batch) => batch.Records[0]?.eventID);
