import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { OUTBOX_SK } from '../../schemas/keys';
import * as z from '../../schemas/zod';
import { logger } from './observability';
import { deliverOutboxItem, isMail, outboxItemOf, sendOutboxMails, type OutboxItem } from './outbox';
import { taskHandler } from './task-handler';

/** What the relay reads of a stream batch: each new outbox item (its image) and the record's sequence number. */
const OutboxStreamBatchSchema = z.object({
  Records: z.array(z.object({
    dynamodb: z.object({
      SequenceNumber: z.string(),
      Keys: z.object({ sk: z.object({ S: z.string() }) }),
      NewImage: z.optional(z.record(z.string(), z.unknown())),
    }),
  })),
});

/** Mails sent together: their holds and marks are one transaction each, of at most 100 items. */
const MAILS_AT_ONCE = 50;

/**
 * The outbox's relay: the table's stream hands it each new outbox item (outbox.ts), which it delivers in
 * stream order; consecutive mails go together (sendOutboxMails: two table requests for the run). The first
 * item it cannot deliver and those after it go back to the stream to be retried (ReportBatchItemFailures),
 * so one failure neither redelivers what went out nor skips what did not.
 */
export const handler = taskHandler(OutboxStreamBatchSchema, async (batch) => {
  const records = batch.Records.flatMap((record) => {
    if (record.dynamodb.Keys.sk.S !== OUTBOX_SK || !record.dynamodb.NewImage) return [];
    const image = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
    if (typeof image.id !== 'string') return [];
    // an image this relay cannot read is read again from the table, one by one, which says what is wrong with it
    const item: OutboxItem = outboxItemOf(image) ?? { id: image.id, status: 'pending' };
    return [{ item, sequenceNumber: record.dynamodb.SequenceNumber }];
  });
  const retryFrom = (index: number) => ({ batchItemFailures: records.slice(index).map((r) => ({ itemIdentifier: r.sequenceNumber })) });
  let index = 0;
  while (index < records.length) {
    const first = records[index]!.item;
    if (isMail(first)) {
      const run: OutboxItem[] = [];
      // one transaction may name an item once
      while (index + run.length < records.length && run.length < MAILS_AT_ONCE) {
        const next = records[index + run.length]!.item;
        if (!isMail(next) || run.some((m) => m.id === next.id)) break;
        run.push(next);
      }
      const failedAt = await sendOutboxMails(run);
      logger.info('outbox mails relayed', { mails: run.length, outboxIds: run.map((m) => m.id), failedAt });
      if (failedAt >= 0) return retryFrom(index + failedAt);
      index += run.length;
      continue;
    }
    try {
      const delivery = await deliverOutboxItem(first.id);
      logger.info('outbox item delivered', { outboxId: first.id, delivery });
    } catch (error) {
      logger.warn('outbox item not delivered; the stream retries it', { outboxId: first.id, error: error as Error });
      return retryFrom(index);
    }
    index++;
  }
  return { batchItemFailures: [] };
}, (batch) => (batch.Records[0]?.dynamodb.NewImage?.id as { S?: string } | undefined)?.S);
