import { ReassignBodySchema } from '../../schemas/approvals/request';
import { apiHandler } from '../platform/api-handler';
import { reassignTask } from './approval-decisions';
import { parseInput } from '../platform/validation';

/** POST /approvals/{id}/tasks/{taskId}/reassign: ops hands an open task to someone else (201: the new task). */
export const handler = apiHandler(async (request) => {
  const body = parseInput(ReassignBodySchema, request.body(), 'body');
  return { status: 201, body: await reassignTask(request.path('id'), request.path('taskId'), body.assigneeId, body.comment, request.principal(), request.now) };
});
