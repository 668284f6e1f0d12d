import { Departments } from '../../schemas/records';
import { updateRecordHandler } from '../shared/record-routes';

export const handler = updateRecordHandler(Departments);
