import { MEASURE_ROUTES } from '../../schemas/api/routes/measures';
import { MAX_MEASURE_MONTHS, MEASURE_TILES, MeasureQuerySchema, MeasureTileSchema, type MeasureScopes, type MeasureTile, type MeasureTileResponse } from '../../schemas/measures/tiles';
import * as z from '../../schemas/zod';
import { apiRouter, type ApiRoute } from '../platform/api-handler';
import { invalidField } from '../platform/errors';
import type { Principal } from '../platform/principal';
import { parseInput } from '../platform/validation';
import { departmentTree } from './departments';
import { bucketFor, scopeChoices } from './measure-scope';
import { readTile } from './measure-store';
import { tileView } from './measure-views';

/** The tiles each role's dashboard shows first; everyone may read every tile of the figures they may read. */
const ROLE_TILES: Record<Principal['roles'][number], readonly MeasureTile[]> = {
  sales: ['pipeline', 'response', 'leads', 'accounts', 'promotions'],
  marketing: ['campaigns', 'leads', 'response'],
  finance: ['promotions', 'campaigns', 'accounts'],
  service: ['service'],
  ops: MEASURE_TILES,
  admin: MEASURE_TILES,
};
const tilesOf = (principal: Principal) => MEASURE_TILES.filter((tile) => principal.roles.some((role) => ROLE_TILES[role].includes(tile)));

const monthsBetween = (from: string, to: string) =>
  (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;

/** GET /measures/scopes: whose measures the caller may read, widest first, their dashboard's tiles and the month it is. */
const listMeasureScopesRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const body: MeasureScopes = { choices: scopeChoices(principal, await departmentTree()), tiles: tilesOf(principal), currentMonth: request.now.slice(0, 7) };
  return { status: 200, body };
};

/** GET /measures/tiles/{tile}: one tile of one bucket over a range of months, read with one Query. */
const getMeasureTileRoute: ApiRoute = async (request) => {
  const principal = request.principal();
  const { tile } = parseInput(z.object({ tile: MeasureTileSchema }), { tile: request.path('tile') }, 'path');
  const query = parseInput(MeasureQuerySchema, request.query, 'query');
  const thisMonth = request.now.slice(0, 7);
  const to = query.to ?? query.from ?? thisMonth;
  const from = query.from ?? to;
  if (from > to) throw invalidField('from', `must not be after to (${to})`);
  if (monthsBetween(from, to) > MAX_MEASURE_MONTHS) throw invalidField('to', `must be at most ${MAX_MEASURE_MONTHS} months from from (${from})`);
  const { choice, bucket } = bucketFor(principal, query, scopeChoices(principal, await departmentTree()));
  const view = tileView(tile, await readTile(bucket, tile, from, to));
  const body: MeasureTileResponse = { tile, from, to, view: choice.view, ...(choice.departmentId ? { departmentId: choice.departmentId } : {}), ...view };
  return { status: 200, body };
};

/** The measures API: one function behind a router over the route catalogue's measures routes. */
export const handler = apiRouter('measures', MEASURE_ROUTES, {
  'list-measure-scopes': listMeasureScopesRoute,
  'get-measure-tile': getMeasureTileRoute,
});
