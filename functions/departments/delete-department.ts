import { Departments } from '../../schemas/records';
import { deleteRecordHandler } from '../shared/record-routes';

export const handler = deleteRecordHandler(Departments);
