import { apiHandler } from '../platform/api-handler';
import { effectReportById } from './campaigns';

/** GET /campaigns/{id}/report: the effect report stored at settlement (a campaign's, or a campaign-less promotion's), late events flagged. */
export const handler = apiHandler(async (request) => ({ status: 200, body: await effectReportById(request.principal(), request.path('id')) }));
