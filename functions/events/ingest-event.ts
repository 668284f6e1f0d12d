import { apiHandler } from '../platform/api-handler';
import { authenticate, receiveEvent, SIGNATURE_HEADERS } from './inbound-events';

/** POST /events: other systems' events, signed per system (no JWT: the signature is the authentication). */
export const handler = apiHandler(async (request) => {
  const { event } = request;
  const body = request.rawBody();
  const now = new Date(request.now);
  const system = await authenticate(event.headers ?? {}, body, Math.floor(now.getTime() / 1000));
  const receipt = await receiveEvent(system, event.headers?.[SIGNATURE_HEADERS.idempotencyKey], body, now);
  return { status: receipt.duplicate ? 200 : 202, body: receipt };
});
