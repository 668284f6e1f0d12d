import { apiHandler } from '../shared/api-handler';
import { invalidField } from '../shared/errors';
import { unsubscribe } from '../shared/nurture-engine';

/**
 * POST /unsubscribe/{token}: RFC 8058 one-click unsubscribe. No login: the signed token is the
 * credential; a forged, expired or foreign token is refused and changes nothing.
 */
export const handler = apiHandler(async (request) => {
  const result = await unsubscribe(request.path('token'), request.now);
  if (!result.ok) throw invalidField('path.token', `is not a valid unsubscribe link (${result.reason})`);
  return { status: 200, body: { unsubscribed: true, stoppedEnrolments: result.exited } };
});
