import { MeasureQuerySchema, MeasureScopesSchema, MeasureTileResponseSchema } from '../../measures/tiles';
import type { RouteSpec } from '../route-spec';

/** The measures the business runs on: the dashboard's tiles, within the caller's read scope (all under /measures/: one gateway route). */
export const MEASURE_ROUTES: RouteSpec[] = [
  {
    method: 'GET', path: '/measures/scopes', operation: 'measures/list-measure-scopes', auth: 'jwt', tag: 'measures',
    summary: 'Whose measures the caller may read (their own, their department, the department trees they manage), the tiles of their dashboard and the current month by the system\'s clock',
    contract: () => ({ response: MeasureScopesSchema }),
  },
  {
    method: 'GET', path: '/measures/tiles/{tile}', operation: 'measures/get-measure-tile', auth: 'jwt', tag: 'measures',
    summary: 'One tile of measures (pipeline, leads, response, campaigns, promotions, accounts, service) per month and over a range of months; one Query',
    contract: () => ({ query: MeasureQuerySchema, response: MeasureTileResponseSchema }),
  },
];
