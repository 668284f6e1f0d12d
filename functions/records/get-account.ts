import { Accounts } from '../../schemas/records';
import { getRecordHandler } from './record-routes';

export const handler = getRecordHandler(Accounts);
