import { Leads } from '../../schemas/records';
import { listRecordsHandler } from '../shared/record-routes';

export const handler = listRecordsHandler(Leads);
