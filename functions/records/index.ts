/**
 * What other domains may use of the records domain: the generic record store (their records are
 * records too) and its list route. Everything else in this folder is the domain's own.
 */
export { toRecord } from './record-store';
export { listIndexPage } from './record-lists';
export { listRecordsRoute } from './record-routes';
