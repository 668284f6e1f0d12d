import { apiHandler } from '../platform/api-handler';
import { changeLifecycle } from './nurture-sequences';

/** POST /nurture/sequences/{id}/lifecycle: activate (a version), pause, resume or archive (marketing, admin). */
export const handler = apiHandler(async (request) => ({
  status: 200, body: await changeLifecycle(request.principal(), request.path('id'), request.body(), request.now),
}));
