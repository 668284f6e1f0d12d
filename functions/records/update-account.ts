import { Accounts } from '../../schemas/records';
import { updateRecordHandler } from './record-routes';

export const handler = updateRecordHandler(Accounts);
