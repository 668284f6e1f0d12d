import { Leads } from '../../schemas/records';
import { deleteRecordHandler } from './record-routes';

export const handler = deleteRecordHandler(Leads);
