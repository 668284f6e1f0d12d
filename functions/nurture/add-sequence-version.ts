import { apiHandler } from '../platform/api-handler';
import { addVersion } from './nurture-sequences';

/** POST /nurture/sequences/{id}/versions: an edit is a new immutable version (marketing, admin). */
export const handler = apiHandler(async (request) => ({
  status: 201, body: await addVersion(request.principal(), request.path('id'), request.body(), request.now),
}));
