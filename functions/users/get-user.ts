import { Users } from '../../schemas/records';
import { getRecordHandler } from '../shared/record-routes';

export const handler = getRecordHandler(Users);
