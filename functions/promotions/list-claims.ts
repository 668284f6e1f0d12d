import { Claims } from '../../schemas/promotions/records';
import { promotionView } from './promotions';
import { listRecordsHandler } from '../records/record-routes';

/** GET /claims?promotionId=: a promotion's expense claims (one Query of its collection), or claims by status or owner. */
export const handler = listRecordsHandler(Claims, promotionView);
