import { InboxQuerySchema, type ApprovalRequestRecord } from '../../schemas/approvals/request';
import { APPROVAL_REQUEST_TYPE, listPk } from '../../schemas/keys';
import { apiHandler } from '../platform/api-handler';
import { requestView } from './approval-views';
import { listIndexPage } from '../records/record-lists';
import { parseInput } from '../platform/validation';

/** GET /approvals: the requests the caller submitted, newest first. */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const query = parseInput(InboxQuerySchema, request.query, 'query');
  const page = await listIndexPage('byOwner', listPk.byOwner(APPROVAL_REQUEST_TYPE, principal.userId), { ...query, newestFirst: true });
  return { status: 200, body: { ...page, items: page.items.map((item) => requestView(item as unknown as ApprovalRequestRecord)) } };
});
