import { Products } from '../../schemas/records';
import { deleteRecordHandler } from './record-routes';

export const handler = deleteRecordHandler(Products);
