import { HANDOVER_ROUTES, HandoverItemsQuerySchema } from '../../schemas/api/routes/handover';
import { RECORD_RESOURCES, RECORD_ROUTES, recordListQuerySchema } from '../../schemas/api/routes/records';
import { HandoverBodySchema } from '../../schemas/handover/handover';
import { AwayBodySchema, Users } from '../../schemas/records';
import { parseInput } from '../platform/validation';
import { getAccount360 } from './record-lists';
import { createRecordRoute, deleteRecordRoute, getRecordRoute, listRecordsRoute, updateRecordRoute } from './record-routes';
import { getHandover, getHandoverItems, listHandovers, previewHandover, startHandover } from './handover';
import { setAway } from './user-away';
import { applySignIn } from './user-sign-in';
import { apiRouter, type ApiRoute } from '../platform/api-handler';
import { forgetPrincipal } from '../platform/principal';

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

const updateUserRecord = updateRecordRoute(Users);
const deleteUserRecord = deleteRecordRoute(Users);

/**
 * PATCH /users/{id}: the change holds for the user's next request (platform/principal.ts); a change that
 * sets the status tells the user pool as well (AdminEnableUser or AdminDisableUser with a global sign-out).
 * Setting it to what it was tells the pool again: the calls change nothing twice, and mend a pool that
 * missed one.
 */
const updateUserRoute: ApiRoute = async (request) => {
  const result = await updateUserRecord(request);
  const userId = request.path('id');
  forgetPrincipal(userId);
  const body = request.body() as Record<string, unknown>;
  if (body.status !== undefined) await applySignIn(userId, (result.body as { status?: string }).status === 'active');
  return result;
};

/** DELETE /users/{id}: a deleted user signs in no more. */
const deleteUserRoute: ApiRoute = async (request) => {
  const result = await deleteUserRecord(request);
  await applySignIn(request.path('id'), false);
  return result;
};

const handoverRoutes: Record<string, ApiRoute> = {
  'preview-handover': async (request) => ({ status: 200, body: await previewHandover(parseInput(HandoverBodySchema, request.body(), 'body'), request.principal(), request.now) }),
  'start-handover': async (request) => ({ status: 202, body: await startHandover(parseInput(HandoverBodySchema, request.body(), 'body'), request.principal(), request.now) }),
  'list-handovers': async (request) => ({ status: 200, body: await listHandovers(request.principal()) }),
  'get-handover': async (request) => ({ status: 200, body: await getHandover(request.path('id'), request.principal()) }),
  'list-handover-items': async (request) => {
    const { cursor } = parseInput(HandoverItemsQuerySchema, request.query, 'query');
    return { status: 200, body: await getHandoverItems(request.path('id'), request.principal(), cursor) };
  },
};

/** The records API: one function behind a router over the route catalogue's records and handover routes. */
export const handler = apiRouter('records', [...RECORD_ROUTES, ...HANDOVER_ROUTES], {
  ...handoverRoutes,
  ...recordOperations,
  'get-account-360': getAccount360Route,
  'set-user-away': setUserAwayRoute,
  'update-user': updateUserRoute,
  'delete-user': deleteUserRoute,
});
