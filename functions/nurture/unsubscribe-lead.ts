import { apiHandler } from '../platform/api-handler';
import { submitUnsubscribe } from './unsubscribe-page';

/**
 * POST /unsubscribe/{token}: RFC 8058 one-click unsubscribe, or the confirmation page's button. No
 * login: the signed token is the credential; a forged, expired or foreign token is refused and changes nothing.
 */
export const handler = apiHandler(async (request) => submitUnsubscribe(request.path('token'), request.rawBody(), request.now));
