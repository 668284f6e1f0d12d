import { RecallBodySchema } from '../../schemas/approvals/request';
import { apiHandler } from '../platform/api-handler';
import { recallApproval } from './approval-decisions';
import { parseInput } from '../platform/validation';

/** POST /approvals/{id}/recall: the submitter withdraws a pending request (202: the engine ends it as recalled). */
export const handler = apiHandler(async (request) => {
  const body = request.rawBody() ? parseInput(RecallBodySchema, request.body(), 'body') : {};
  return { status: 202, body: await recallApproval(request.path('id'), request.principal(), body.reason, request.now) };
});
