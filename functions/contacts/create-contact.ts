import { Contacts } from '../../schemas/records';
import { createRecordHandler } from '../shared/record-routes';

export const handler = createRecordHandler(Contacts);
