import { Contacts } from '../../schemas/records';
import { listRecordsHandler } from './record-routes';

export const handler = listRecordsHandler(Contacts);
