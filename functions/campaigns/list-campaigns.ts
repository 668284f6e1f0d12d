import { Campaigns } from '../../schemas/promotions/records';
import { promotionView } from '../shared/promotions';
import { listRecordsHandler } from '../shared/record-routes';

/** GET /campaigns: campaigns with their status, or one owner's. */
export const handler = listRecordsHandler(Campaigns, promotionView);
