import { apiHandler } from '../shared/api-handler';
import { listSequences } from '../shared/nurture-sequences';

/** GET /nurture/sequences: every sequence's head. */
export const handler = apiHandler(async (request) => ({ status: 200, body: await listSequences(request.principal()) }));
