import { Promotions } from '../../schemas/promotions/records';
import { promotionView } from '../shared/promotions';
import { listRecordsHandler } from '../shared/record-routes';

/** GET /promotions: the promotions the caller may see, by status, owner, department or region, each with its money. */
export const handler = listRecordsHandler(Promotions, promotionView);
