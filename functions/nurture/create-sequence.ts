import { apiHandler } from '../platform/api-handler';
import { createSequence } from './nurture-sequences';

/** POST /nurture/sequences: a new sequence, validated, as draft version 1 (marketing, admin). */
export const handler = apiHandler(async (request) => ({ status: 201, body: await createSequence(request.principal(), request.body(), request.now) }));
