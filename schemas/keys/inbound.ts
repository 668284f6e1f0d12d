/** Events other systems send (POST /events): the claims on their idempotency keys, and the bad ones kept for inspection. */
import { indexKeyAttributes } from './table';

type Item = Record<string, unknown>;

/**
 * Where Powertools Idempotency keeps the claims on inbound events' idempotency keys: one partition,
 * `sk = INBOUND#<system>#<hash of the key>`, so erp's key "x" and web-forms' key "x" are two claims.
 * Powertools builds the sort key from the prefix (its keyPrefix) and writes the item's attributes itself;
 * the claim expires through the table's TTL attribute.
 */
export const INBOUND_IDEMPOTENCY = {
  pk: 'INBOUND_IDEMPOTENCY',
  keyPrefix: (system: string) => `INBOUND#${system}`,
  /** the sort key of a claim, as Powertools writes it: `<keyPrefix>#<hash>` */
  sk: (system: string, keyHash: string) => `INBOUND#${system}#${keyHash}`,
} as const;

export const QUARANTINED_EVENT_TYPE = 'QUARANTINED_EVENT';
/** A bad inbound event kept for inspection, listed newest first through byType. */
export function quarantinedEventItem(id: string, receivedAt: string, fields: Item): Item {
  const { pk, sk } = indexKeyAttributes('byType');
  return { pk: `QUARANTINE#${id}`, sk: 'EVENT', [pk]: QUARANTINED_EVENT_TYPE, [sk]: `${receivedAt}#${id}`, id, receivedAt, ...fields };
}
