import { apiHandler } from '../platform/api-handler';
import { leadNurture } from './nurture-sequences';

/** GET /nurture/leads/{id}: the lead's enrolment timeline and why it was not enrolled (whoever may read the lead). */
export const handler = apiHandler(async (request) => ({ status: 200, body: await leadNurture(request.principal(), request.path('id')) }));
