import { Funds } from '../../schemas/promotions/records';
import { promotionView } from './promotions';
import { listRecordsHandler } from '../records/record-routes';

/** GET /funds: the funds the caller may see (finance all; sales their department's), by region or department. */
export const handler = listRecordsHandler(Funds, promotionView);
