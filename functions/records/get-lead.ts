import { Leads } from '../../schemas/records';
import { getRecordHandler } from './record-routes';

export const handler = getRecordHandler(Leads);
