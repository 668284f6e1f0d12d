import { Opportunities } from '../../schemas/records';
import { deleteRecordHandler } from './record-routes';

export const handler = deleteRecordHandler(Opportunities);
