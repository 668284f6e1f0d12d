import { CLOSED_STAGES } from '../../schemas/records';

type Item = Record<string, unknown>;

/** Closed opportunities leave the account 360 (they sort below what it reads). */
export const isClosedOpportunity = (record: Item) =>
  record.recordType === 'OPPORTUNITY' && CLOSED_STAGES.includes(String(record.stage));

/** Fields the server derives on every write of a record type. */
export function deriveFields(type: string, previous: Item | undefined, next: Item, now: string): Item {
  if (type === 'OPPORTUNITY' && previous?.stage !== next.stage) return { ...next, stageEnteredAt: now };
  return next;
}
