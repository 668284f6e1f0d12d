import { apiHandler } from '../platform/api-handler';
import { createPolicy } from './approval-policies';

/** POST /approval-policies: a new policy as version 1, inactive until activated (ops, admin). */
export const handler = apiHandler(async (request) => ({ status: 201, body: await createPolicy(request.body(), request.principal(), request.now) }));
