type Item = Record<string, unknown>;

/** Fields the server derives on every write of a record type. */
export function deriveFields(type: string, previous: Item | undefined, next: Item, now: string): Item {
  if (type === 'OPPORTUNITY' && previous?.stage !== next.stage) return { ...next, stageEnteredAt: now };
  return next;
}
