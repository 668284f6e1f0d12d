import { Leads } from '../../schemas/records';
import { updateRecordHandler } from './record-routes';

export const handler = updateRecordHandler(Leads);
