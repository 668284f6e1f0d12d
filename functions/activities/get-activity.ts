import { Activities } from '../../schemas/records';
import { getRecordHandler } from '../shared/record-routes';

export const handler = getRecordHandler(Activities);
