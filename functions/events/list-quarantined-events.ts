import { QUARANTINED_EVENT_TYPE } from '../../schemas/keys';
import { QuarantineQuerySchema } from '../../schemas/api/routes';
import { apiHandler } from '../platform/api-handler';
import { forbidden } from '../platform/errors';
import { listIndexPage } from '../records/record-lists';
import { parseInput } from '../platform/validation';

/** GET /events/quarantine: the inbound events that were refused, newest first (ops and admin). */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  if (!principal.roles.some((r) => r === 'ops' || r === 'admin')) throw forbidden('only ops and admin may read quarantined events');
  const query = parseInput(QuarantineQuerySchema, request.query, 'query');
  return { status: 200, body: await listIndexPage('byType', QUARANTINED_EVENT_TYPE, { ...query, newestFirst: true }) };
});
