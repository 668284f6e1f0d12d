import { Departments } from '../../schemas/records';
import { createRecordHandler } from './record-routes';

export const handler = createRecordHandler(Departments);
