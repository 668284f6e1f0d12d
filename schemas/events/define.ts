import type * as z from '../zod';
import { lazy } from '../lazy';

/**
 * One entry of the event catalogue: the event's source and detail-type (imported as constants by
 * producers and consumers, never typed twice), its detail schema, and who produces and consumes it
 * (the generated docs/events.md lists them).
 */
export interface EventDefinition<D extends z.ZodMiniType = z.ZodMiniType> {
  source: string;
  detailType: string;
  readonly detail: D;
  description: string;
  /** inbound events come from other systems through POST /events or PutEvents */
  direction: 'inbound' | 'internal';
  producers: string[];
  consumers: string[];
}

/** `detail` is built on first use (see lazy.ts): a function that publishes one event builds that one's schema. */
export function defineEvent<D extends z.ZodMiniType>(definition: Omit<EventDefinition<D>, 'detail'> & { detail: () => D }): EventDefinition<D> {
  const detail = lazy(definition.detail);
  return { ...definition, get detail() { return detail(); } };
}
