import { Activities } from '../../schemas/records';
import { listRecordsHandler } from '../shared/record-routes';

export const handler = listRecordsHandler(Activities);
