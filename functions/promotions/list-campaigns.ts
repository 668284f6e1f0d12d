import { Campaigns } from '../../schemas/promotions/records';
import { promotionView } from './promotions';
import { listRecordsHandler } from '../records/record-routes';

/** GET /campaigns: campaigns with their status, or one owner's. */
export const handler = listRecordsHandler(Campaigns, promotionView);
