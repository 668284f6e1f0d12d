import { Leads } from '../../schemas/records';
import { createRecordHandler } from '../shared/record-routes';

export const handler = createRecordHandler(Leads);
