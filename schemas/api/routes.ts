/**
 * The HTTP API's route catalogue: the one list of routes, which the deployment serves, the OpenAPI
 * document describes and the tests walk. Each domain's routes are a module of their own
 * (schemas/api/routes/<domain>.ts), so that a domain's API function loads only its own contracts.
 */
import { APPROVAL_ROUTES } from './routes/approvals';
import { DOCS_ROUTES } from './routes/docs';
import { EVENT_ROUTES } from './routes/events';
import { HANDOVER_ROUTES } from './routes/handover';
import { MEASURE_ROUTES } from './routes/measures';
import { NURTURE_ROUTES } from './routes/nurture';
import { PROMOTION_ROUTES } from './routes/promotions';
import { RECORD_ROUTES } from './routes/records';
import { TICKET_ROUTES } from './routes/tickets';
import type { RouteSpec } from './route-spec';

export * from './route-spec';
export * from './routes/approvals';
export * from './routes/docs';
export * from './routes/events';
export * from './routes/handover';
export * from './routes/measures';
export * from './routes/nurture';
export * from './routes/promotions';
export * from './routes/records';
export * from './routes/tickets';

export const ROUTES: RouteSpec[] = [...RECORD_ROUTES, ...HANDOVER_ROUTES, ...EVENT_ROUTES, ...PROMOTION_ROUTES, ...APPROVAL_ROUTES, ...NURTURE_ROUTES, ...TICKET_ROUTES, ...MEASURE_ROUTES, ...DOCS_ROUTES];
