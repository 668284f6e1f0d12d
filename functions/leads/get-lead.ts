import { Leads } from '../../schemas/records';
import { getRecordHandler } from '../shared/record-routes';

export const handler = getRecordHandler(Leads);
