import { apiHandler } from '../platform/api-handler';
import { createCampaign } from './campaigns';

/** POST /campaigns: marketing plans a campaign; Campaign.Planned schedules its settlement. */
export const handler = apiHandler(async (request) => ({ status: 201, body: await createCampaign(request.principal(), request.body(), request.now) }));
