import { AwayBodySchema } from '../../schemas/approvals/request';
import { apiHandler } from '../platform/api-handler';
import { setAway } from './user-away';
import { parseInput } from '../platform/validation';

/** PUT /users/{id}/away: away until a date with a delegate for new approval tasks, or back (awayUntil null). */
export const handler = apiHandler(async (request) => {
  const body = parseInput(AwayBodySchema, request.body(), 'body');
  return { status: 200, body: await setAway(request.path('id'), body.awayUntil, body.delegateId, request.principal(), request.now) };
});
