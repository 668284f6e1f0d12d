import { Users } from '../../schemas/records';
import { listRecordsHandler } from './record-routes';

export const handler = listRecordsHandler(Users);
