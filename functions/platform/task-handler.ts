import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { EventDefinition } from '../../schemas/events';
import * as z from '../../schemas/zod';
import { logger, metrics } from './observability';
import { tracing } from './tracing';

/*
 * The one middleware stack of every function that is not an API function: workflow tasks, event-rule
 * targets and the table-stream publisher. Its input is parsed with its schema (an event's detail with
 * the event catalogue's schema); Powertools logger with a correlation id, metrics (flushed at the end of
 * every invocation) and, where tracing is on, the Tracer, which instruments the function's AWS SDK
 * clients too (tracing.ts).
 * Errors propagate: a bad input or a failure throws, so Step Functions' Retry and Catch, or the rule's
 * retries and dead-letter queue, see it.
 */

function stack<I, O>(
  parse: (event: unknown) => I,
  correlationIdOf: (input: I) => string | undefined,
  run: (input: I, now: string) => Promise<O>,
) {
  const handler = middy(async (event: unknown, context: Context) => {
    logger.setCorrelationId(context.awsRequestId);
    const input = parse(event);
    const correlationId = correlationIdOf(input);
    if (correlationId) logger.setCorrelationId(correlationId);
    const result = await run(input, new Date().toISOString());
    logger.info('task done', { result: result as never });
    return result;
  });
  if (tracing) handler.use(tracing);
  return handler
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

/**
 * A workflow task: its input parsed with `schema`; the correlation id is what names the work across
 * its executions and functions (the enrolment, the request, the promotion...), or the execution's name
 * where the input carries it, else Lambda's request id.
 */
export function taskHandler<S extends z.ZodMiniType, O>(
  schema: S,
  task: (input: z.output<S>, now: string) => Promise<O>,
  correlationId: (input: z.output<S>) => string | undefined = () => undefined,
) {
  return stack((event) => schema.parse(event) as z.output<S>, correlationId, task);
}

/** An entry of the event catalogue, or an AWS service's event described the same way. */
export type DeliverableEvent = Pick<EventDefinition, 'source' | 'detailType' | 'detail'>;

/** An event as a rule delivers it: its envelope, the catalogue entry it is, and its detail parsed with the entry's schema. */
export type Delivered<E extends DeliverableEvent> = E extends DeliverableEvent
  ? { id: string; source: string; detailType: string; time: string; definition: E; detail: z.output<E['detail']> }
  : never;

/** Narrows a delivered event to one entry of the catalogue. */
export const isEvent = <E extends DeliverableEvent>(event: Delivered<DeliverableEvent>, definition: E): event is Delivered<E> =>
  event.definition === definition;

const EnvelopeSchema = z.object({ id: z.string(), source: z.string(), 'detail-type': z.string(), time: z.string(), detail: z.unknown() });

/**
 * An event-rule target: the envelope parsed, the event found among `events` (what its rules deliver) by
 * source and detail-type, its detail parsed with that entry's schema; the correlation id is the event's id.
 */
export function eventHandler<const E extends readonly DeliverableEvent[], O>(
  events: E,
  handle: (event: Delivered<E[number]>, now: string) => Promise<O>,
) {
  return stack(deliveredParser(events), (event) => event.id, handle);
}

function deliveredParser<const E extends readonly DeliverableEvent[]>(events: E) {
  return (raw: unknown): Delivered<E[number]> => {
    const envelope = EnvelopeSchema.parse(raw);
    const detailType = envelope['detail-type'];
    const definition = events.find((e) => e.source === envelope.source && e.detailType === detailType);
    if (!definition) throw new Error(`this function takes no ${envelope.source} ${detailType} events (event ${envelope.id})`);
    const detail = definition.detail.parse(envelope.detail);
    return { id: envelope.id, source: envelope.source, detailType, time: envelope.time, definition, detail } as Delivered<E[number]>;
  };
}

const QueueBatchSchema = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) });

/** One message of a queued batch: its message id (what a partial failure names) and the event it carries. */
export interface QueuedEvent<E extends DeliverableEvent> {
  messageId: string;
  event: Delivered<E>;
}

/**
 * The target of a queue that rules fill with events (EventBridge -> SQS -> Lambda): the batch's events
 * parsed as eventHandler parses one, handled together; `handle` returns the message ids that failed,
 * and Lambda's partial batch response (ReportBatchItemFailures) hands only those back to the queue for
 * another delivery. A message that is no event this function takes fails on its own, and after the
 * queue's receive limit lands in its dead-letter queue.
 */
export function queuedEventsHandler<const E extends readonly DeliverableEvent[]>(
  events: E,
  handle: (batch: QueuedEvent<E[number]>[], now: string) => Promise<Iterable<string>>,
) {
  const parse = deliveredParser(events);
  return stack((raw) => QueueBatchSchema.parse(raw), (batch) => batch.Records[0]?.messageId, async (batch, now) => {
    const failed = new Set<string>();
    const parsed: QueuedEvent<E[number]>[] = [];
    for (const record of batch.Records) {
      try {
        parsed.push({ messageId: record.messageId, event: parse(JSON.parse(record.body)) });
      } catch (error) {
        logger.error('not an event this function takes', { messageId: record.messageId, error: error as Error });
        failed.add(record.messageId);
      }
    }
    for (const id of await handle(parsed, now)) failed.add(id);
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  });
}
