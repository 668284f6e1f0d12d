import { apiHandler } from '../platform/api-handler';
import { dryRunSequence } from './nurture-sequences';

/** POST /nurture/dry-run: validates a sequence and shows the path a sample lead takes and when each mail goes. */
export const handler = apiHandler(async (request) => ({ status: 200, body: await dryRunSequence(request.principal(), request.body()) }));
