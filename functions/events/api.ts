import { QuarantineQuerySchema, EVENT_ROUTES } from '../../schemas/api/routes/events';
import { QUARANTINED_EVENT_TYPE } from '../../schemas/keys';
import { forbidden } from '../platform/errors';
import { parseInput } from '../platform/validation';
import { listIndexPage } from '../records';
import { SIGNATURE_HEADERS, authenticate, receiveEvent } from './inbound-events';
import { apiRouter, type ApiRoute } from '../platform/api-handler';

/** POST /events: other systems' events, signed per system (no JWT: the signature is the authentication). */
const ingestEventRoute: ApiRoute = async (request) => {
  const { event } = request;
  const body = request.rawBody();
  const now = new Date(request.now);
  // senders sign with real time: the gateway's receipt time is real wherever it runs, while the local
  // clock (which `now` follows) may have been moved forward for a demo or a test
  const receivedAt = event.requestContext?.timeEpoch ?? now.getTime();
  const system = await authenticate(event.headers ?? {}, body, Math.floor(receivedAt / 1000));
  const receipt = await receiveEvent(system, event.headers?.[SIGNATURE_HEADERS.idempotencyKey], body, now, request.context);
  return { status: receipt.duplicate ? 200 : 202, body: receipt };
};

/** GET /events/quarantine: the inbound events that were refused, newest first (ops and admin). */
const listQuarantinedEventsRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  if (!principal.roles.some((r) => r === 'ops' || r === 'admin')) throw forbidden('only ops and admin may read quarantined events');
  const query = parseInput(QuarantineQuerySchema, request.query, 'query');
  return { status: 200, body: await listIndexPage('byType', QUARANTINED_EVENT_TYPE, { ...query, newestFirst: true }) };
};

/** The events API: one function behind a router over the route catalogue's events routes. */
export const handler = apiRouter('events', EVENT_ROUTES, {
  'ingest-event': ingestEventRoute,
  'list-quarantined-events': listQuarantinedEventsRoute,
});
