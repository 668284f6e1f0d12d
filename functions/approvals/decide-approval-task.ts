import { DecisionBodySchema } from '../../schemas/approvals/request';
import { apiHandler } from '../platform/api-handler';
import { decideTask } from './approval-decisions';
import { parseInput } from '../platform/validation';

/** POST /approvals/{id}/tasks/{taskId}/decision: approve, reject or request changes (a reason is required for the last two). */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const body = parseInput(DecisionBodySchema, request.body(), 'body');
  const { task } = await decideTask(request.path('id'), request.path('taskId'), body, principal.userId, request.now);
  return { status: 200, body: task };
});
