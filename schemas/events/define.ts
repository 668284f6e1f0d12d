import type * as z from '../zod';

/**
 * One entry of the event catalogue: the event's source and detail-type (imported as constants by
 * producers and consumers, never typed twice), its detail schema, and who produces and consumes it
 * (the generated docs/events.md lists them).
 */
export interface EventDefinition<D extends z.ZodMiniType = z.ZodMiniType> {
  source: string;
  detailType: string;
  detail: D;
  description: string;
  /** inbound events come from other systems through POST /events or PutEvents */
  direction: 'inbound' | 'internal';
  producers: string[];
  consumers: string[];
}

export const defineEvent = <D extends z.ZodMiniType>(definition: EventDefinition<D>) => definition;
