import { apiHandler } from '../platform/api-handler';
import { listSequences } from './nurture-sequences';

/** GET /nurture/sequences: every sequence's head. */
export const handler = apiHandler(async (request) => ({ status: 200, body: await listSequences(request.principal()) }));
