import { Contacts } from '../../schemas/records';
import { getRecordHandler } from './record-routes';

export const handler = getRecordHandler(Contacts);
