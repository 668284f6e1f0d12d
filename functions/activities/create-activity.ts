import { Activities } from '../../schemas/records';
import { createRecordHandler } from '../shared/record-routes';

export const handler = createRecordHandler(Activities);
