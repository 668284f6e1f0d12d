import { Departments } from '../../schemas/records';
import { deleteRecordHandler } from './record-routes';

export const handler = deleteRecordHandler(Departments);
