import { RECORD_RESOURCES, RECORD_ROUTES, recordListQuerySchema } from '../../schemas/api/routes/records';
import { AwayBodySchema } from '../../schemas/records';
import { parseInput } from '../platform/validation';
import { getAccount360 } from './record-lists';
import { createRecordRoute, deleteRecordRoute, getRecordRoute, listRecordsRoute, updateRecordRoute } from './record-routes';
import { setAway } from './user-away';
import { apiRouter, type ApiRoute } from '../platform/api-handler';

const getAccount360Route: ApiRoute = async (request) => ({
  status: 200,
  body: await getAccount360(request.principal(), request.path('id')),
});

/** PUT /users/{id}/away: away until a date with a delegate for new approval tasks, or back (awayUntil null). */
const setUserAwayRoute: ApiRoute = async (request) => {
  const body = parseInput(AwayBodySchema, request.body(), 'body');
  return { status: 200, body: await setAway(request.path('id'), body.awayUntil, body.delegateId, request.principal(), request.now) };
};

/** Create, list, read, change and soft-delete for every record type the catalogue serves. */
const recordOperations: Record<string, ApiRoute> = Object.fromEntries(RECORD_RESOURCES.flatMap((resource) => [
  [`create-${resource.singular}`, createRecordRoute(resource.def)],
  [`list-${resource.def.plural}`, listRecordsRoute(resource.def, () => recordListQuerySchema(resource))],
  [`get-${resource.singular}`, getRecordRoute(resource.def)],
  [`update-${resource.singular}`, updateRecordRoute(resource.def)],
  [`delete-${resource.singular}`, deleteRecordRoute(resource.def)],
]));

/** The records API: one function behind a router over the route catalogue's records routes. */
export const handler = apiRouter('records', RECORD_ROUTES, {
  ...recordOperations,
  'get-account-360': getAccount360Route,
  'set-user-away': setUserAwayRoute,
});
