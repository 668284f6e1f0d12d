import { OUTBOX_SK } from '../../schemas/keys';
import * as z from '../../schemas/zod';
import { logger } from './observability';
import { deliverOutboxItem } from './outbox';
import { taskHandler } from './task-handler';

/** What the relay reads of a stream batch: each new outbox item's id and the record's sequence number. */
const OutboxStreamBatchSchema = z.object({
  Records: z.array(z.object({
    dynamodb: z.object({
      SequenceNumber: z.string(),
      Keys: z.object({ sk: z.object({ S: z.string() }) }),
      NewImage: z.optional(z.object({ id: z.optional(z.object({ S: z.string() })) })),
    }),
  })),
});

/**
 * The outbox's relay: the table's stream hands it each new outbox item (outbox.ts), which it delivers in
 * stream order. The first item it cannot deliver and those after it go back to the stream to be retried
 * (ReportBatchItemFailures), so one failure neither redelivers what went out nor skips what did not.
 */
export const handler = taskHandler(OutboxStreamBatchSchema, async (batch) => {
  for (const [index, record] of batch.Records.entries()) {
    const id = record.dynamodb.NewImage?.id?.S;
    if (record.dynamodb.Keys.sk.S !== OUTBOX_SK || !id) continue;
    try {
      const delivery = await deliverOutboxItem(id);
      logger.info('outbox item delivered', { outboxId: id, delivery });
    } catch (error) {
      logger.warn('outbox item not delivered; the stream retries it', { outboxId: id, error: error as Error });
      return { batchItemFailures: batch.Records.slice(index).map((r) => ({ itemIdentifier: r.dynamodb.SequenceNumber })) };
    }
  }
  return { batchItemFailures: [] };
}, (batch) => batch.Records[0]?.dynamodb.NewImage?.id?.S);
