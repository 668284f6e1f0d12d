/** Events other systems send (POST /events): their receipts, and the bad ones kept for inspection. */
import { indexKeyAttributes } from './table';

type Item = Record<string, unknown>;

/** The receipt of an inbound event: one per (sending system, idempotency key), so a repeat puts nothing twice. */
export const inboundReceiptKey = (system: string, idempotencyKey: string) => ({
  pk: `INBOUND#${system}#${idempotencyKey}`,
  sk: 'RECEIPT',
});

export const QUARANTINED_EVENT_TYPE = 'QUARANTINED_EVENT';
/** A bad inbound event kept for inspection, listed newest first through byType. */
export function quarantinedEventItem(id: string, receivedAt: string, fields: Item): Item {
  const { pk, sk } = indexKeyAttributes('byType');
  return { pk: `QUARANTINE#${id}`, sk: 'EVENT', [pk]: QUARANTINED_EVENT_TYPE, [sk]: `${receivedAt}#${id}`, id, receivedAt, ...fields };
}
