/*
 * Every AWS SDK client the functions make is registered here when it is made. The functions that carry
 * the Powertools Tracer (workflow tasks and event targets, see tracing.ts) instrument each one, made
 * before or after; the API functions load no tracer, so their clients stay as they are.
 */

type Instrument = (client: object) => void;

const clients: object[] = [];
let instrument: Instrument | undefined;

/** Registers an SDK client (for X-Ray where the function traces) and returns it. */
export function sdkClient<C extends object>(client: C): C {
  clients.push(client);
  instrument?.(client);
  return client;
}

/** Instruments every SDK client made so far and every one made later. */
export function instrumentSdkClients(fn: Instrument): void {
  instrument = fn;
  for (const client of clients) fn(client);
}
