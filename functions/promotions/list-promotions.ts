import { Promotions } from '../../schemas/promotions/records';
import { promotionView } from './promotions';
import { listRecordsHandler } from '../records/record-routes';

/** GET /promotions: the promotions the caller may see, by status, owner, department or region, each with its money. */
export const handler = listRecordsHandler(Promotions, promotionView);
