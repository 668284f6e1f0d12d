import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { tracer } from './observability';

const client = tracer.captureAWSv3Client(new EventBridgeClient({}));

const busName = () => {
  const name = process.env.EVENT_BUS_NAME;
  if (!name) throw new Error('EVENT_BUS_NAME is not set');
  return name;
};

/**
 * Puts events on the CRM's bus, ten to a PutEvents call (its limit); any refused entry throws, so the
 * caller's whole delivery is retried (consumers are idempotent).
 */
export async function putEvents(source: string, detailType: string, details: unknown[]): Promise<void> {
  for (let i = 0; i < details.length; i += 10) {
    const batch = details.slice(i, i + 10);
    const result = await client.send(new PutEventsCommand({
      Entries: batch.map((detail) => ({ EventBusName: busName(), Source: source, DetailType: detailType, Detail: JSON.stringify(detail) })),
    }));
    if (result.FailedEntryCount) {
      const failure = result.Entries?.find((e) => e.ErrorCode);
      throw new Error(`the bus refused ${result.FailedEntryCount} ${detailType} event(s): ${failure?.ErrorCode} ${failure?.ErrorMessage}`);
    }
  }
}

/** Puts one event on the CRM's bus and returns its id; a refused entry throws, so callers retry. */
export async function putEvent(source: string, detailType: string, detail: unknown): Promise<string> {
  const result = await client.send(new PutEventsCommand({
    Entries: [{ EventBusName: busName(), Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
  }));
  const [entry] = result.Entries ?? [];
  if (result.FailedEntryCount || !entry?.EventId) {
    throw new Error(`the bus refused ${source} ${detailType}: ${entry?.ErrorCode ?? 'no event id'} ${entry?.ErrorMessage ?? ''}`);
  }
  return entry.EventId;
}
