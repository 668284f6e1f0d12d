import { InboxQuerySchema } from '../../schemas/approvals/request';
import { APPROVAL_TASK_TYPE, listPk } from '../../schemas/keys';
import { apiHandler } from '../platform/api-handler';
import { listIndexPage } from '../records/record-lists';
import { parseInput } from '../platform/validation';

/** GET /approval-inbox: the caller's open approval tasks, soonest due first, each with what it is about. */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const query = parseInput(InboxQuerySchema, request.query, 'query');
  return { status: 200, body: await listIndexPage('byOwner', listPk.byOwner(APPROVAL_TASK_TYPE, principal.userId), query) };
});
