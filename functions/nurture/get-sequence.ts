import { apiHandler } from '../platform/api-handler';
import { readSequence } from './nurture-sequences';

/** GET /nurture/sequences/{id}: the sequence, its versions and its counters. */
export const handler = apiHandler(async (request) => ({ status: 200, body: await readSequence(request.principal(), request.path('id')) }));
