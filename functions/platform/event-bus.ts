import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventDefinition } from '../../schemas/events';
import type * as z from '../../schemas/zod';
import { requiredEnv } from './env';
import { sdkClient } from './sdk-clients';

const client = sdkClient(new EventBridgeClient({}));

/** An entry of the event catalogue (schemas/events): its source, detail-type and detail schema. */
type CatalogueEvent = Pick<EventDefinition, 'source' | 'detailType' | 'detail' | 'direction'>;
/** The detail an event of the catalogue carries, as its producer writes it (the schema's input). */
export type DetailOf<E extends CatalogueEvent> = z.input<E['detail']>;

/**
 * One of the CRM's own events as the bus takes it: source and detail-type from its catalogue entry, and
 * the detail checked against the entry's schema (an event that breaks its contract throws here, not in a
 * consumer). The bus is the one the delivering function is given.
 */
export function checkedEvent<E extends CatalogueEvent>(event: E, detail: DetailOf<E>): { source: string; detailType: string; detail: string } {
  if (event.direction !== 'internal') {
    throw new Error(`${event.source} ${event.detailType} is another system's event: the CRM does not publish it`);
  }
  return { source: event.source, detailType: event.detailType, detail: JSON.stringify(event.detail.parse(detail)) };
}

/** A checked event (checkedEvent) as an entry of a PutEvents call on the CRM's bus. */
export const busEntry = (event: { source: string; detailType: string; detail: string }): PutEventsRequestEntry => ({
  EventBusName: requiredEnv('EVENT_BUS_NAME'), Source: event.source, DetailType: event.detailType, Detail: event.detail,
});

const entriesOf = <E extends CatalogueEvent>(event: E, details: DetailOf<E>[]) => details.map((detail) => busEntry(checkedEvent(event, detail)));

/** Puts entries on the bus, ten to a PutEvents call (its limit); any refused entry throws, so the caller is retried. */
export async function putEntries(entries: PutEventsRequestEntry[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < entries.length; i += 10) {
    const batch = entries.slice(i, i + 10);
    const result = await client.send(new PutEventsCommand({ Entries: batch }));
    const failure = result.Entries?.find((e) => e.ErrorCode || !e.EventId);
    if (result.FailedEntryCount || failure || (result.Entries?.length ?? 0) < batch.length) {
      const what = `${batch[0]!.Source} ${batch[0]!.DetailType}`;
      throw new Error(`the bus refused ${result.FailedEntryCount ?? batch.length} ${what} event(s): ${failure?.ErrorCode ?? 'no event id'} ${failure?.ErrorMessage ?? ''}`);
    }
    ids.push(...result.Entries!.map((e) => e.EventId!));
  }
  return ids;
}

/**
 * Publishes one of the CRM's own events now (checkedEvent). Returns the event's id; a refused entry
 * throws, so the caller's delivery or request is retried (consumers are idempotent). A write that
 * announces itself puts its event in the outbox instead (outbox.ts), in the write's own transaction.
 */
export async function publish<E extends CatalogueEvent>(event: E, detail: DetailOf<E>): Promise<string> {
  const [id] = await putEntries(entriesOf(event, [detail]));
  return id!;
}

/** Publishes many events of one kind (a stream batch), checked as publish() checks one. */
export async function publishAll<E extends CatalogueEvent>(event: E, details: DetailOf<E>[]): Promise<void> {
  await putEntries(entriesOf(event, details));
}

/**
 * Forwards another system's event onto the bus under the source and detail-type that system declared
 * (POST /events, functions/events/inbound-events.ts, after checking it against its catalogue entry).
 * The CRM's own events go through publish(), never through this.
 */
export async function putEvent(source: string, detailType: string, detail: unknown): Promise<string> {
  const [id] = await putEntries([busEntry({ source, detailType, detail: JSON.stringify(detail) })]);
  return id!;
}
