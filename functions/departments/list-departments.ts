import { Departments } from '../../schemas/records';
import { listRecordsHandler } from '../shared/record-routes';

export const handler = listRecordsHandler(Departments);
