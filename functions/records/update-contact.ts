import { Contacts } from '../../schemas/records';
import { updateRecordHandler } from './record-routes';

export const handler = updateRecordHandler(Contacts);
