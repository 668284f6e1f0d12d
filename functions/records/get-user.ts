import { Users } from '../../schemas/records';
import { getRecordHandler } from './record-routes';

export const handler = getRecordHandler(Users);
