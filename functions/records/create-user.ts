import { Users } from '../../schemas/records';
import { createRecordHandler } from './record-routes';

export const handler = createRecordHandler(Users);
